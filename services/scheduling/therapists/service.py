"""A therapist's weekly hours and time off. Functions flush; the request's session commits.

Who may touch whose: admins any therapist's; a therapist their own (read hours, and read,
add and remove time off); the front desk reads hours. The id is confirmed with the patients
service as a therapist's account before anything is written for an admin, and that question
is asked before the unit of work begins, so no transaction waits on another service.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.pagination import after, decode_cursor, page_of, parse_datetime
from services.scheduling.clients import PatientsClient
from services.scheduling.locks import lock_schedule
from services.scheduling.models import Location, TherapistHours, TimeOff
from services.scheduling.therapists.schemas import (
    HoursEntry,
    HoursRead,
    TherapistWeekRead,
    TimeOffCreate,
    TimeOffRead,
)
from services.scheduling.therapists.week import checked_week

LONGEST_TIME_OFF = timedelta(days=366)
NOT_A_THERAPIST = "No therapist's account has this id."


# -- who may reach whose schedule ----------------------------------------------------------------


def check_reach(caller: Caller, therapist_id: uuid.UUID, *, front_desk: bool = False) -> None:
    """Admins reach every therapist, a therapist only themself, the front desk where let."""
    if caller.role == "admin" or (front_desk and caller.role == "front_desk"):
        return
    if caller.role == "therapist" and caller.user_id == therapist_id:
        return
    raise Forbidden("A therapist reaches only their own hours and time off.")


async def confirm_therapist(
    patients: PatientsClient, therapist_id: uuid.UUID, *, caller: Caller
) -> bool:
    """Whether the therapist's account may still act; 404 unless the id is a therapist's.
    A therapist asking about themself is known already (their token, checked active)."""
    if caller.user_id == therapist_id and caller.role == "therapist":
        return True
    status = await patients.account_status(therapist_id)
    if status is None or status.role != "therapist":
        raise NotFound(NOT_A_THERAPIST)
    return status.active


# -- weekly hours ---------------------------------------------------------------------------------


async def replace_week(
    session: AsyncSession, *, therapist_id: uuid.UUID, entries: Sequence[HoursEntry], active: bool
) -> TherapistWeekRead:
    """The therapist's week becomes `entries`, whole: racing replacements take turns (the
    therapist's schedule lock), so the week stored is one of them, never a mix."""
    if entries and not active:
        raise Conflict("The therapist's account is disabled: only an empty week may be set.")
    clinics = {c.slug: c for c in (await session.exec(select(Location))).all()}
    stretches = checked_week(entries, clinics)
    await lock_schedule(session, "therapist", therapist_id)
    await session.exec(  # type: ignore[call-overload]
        delete(TherapistHours).where(col(TherapistHours.therapist_id) == therapist_id)
    )
    session.add_all(
        TherapistHours(
            therapist_id=therapist_id,
            location_id=s.location.id,
            weekday=s.weekday,
            starts=s.starts,
            ends=s.ends,
        )
        for s in stretches
    )
    await session.flush()
    return await week_of(session, therapist_id=therapist_id)


async def week_of(session: AsyncSession, *, therapist_id: uuid.UUID) -> TherapistWeekRead:
    statement = (
        select(TherapistHours, Location.slug)
        .join(Location, col(Location.id) == col(TherapistHours.location_id))
        .where(col(TherapistHours.therapist_id) == therapist_id)
        .order_by(col(TherapistHours.weekday), col(TherapistHours.starts))
    )
    hours = [
        HoursRead(
            location=slug, weekday=h.weekday, start=f"{h.starts:%H:%M}", end=f"{h.ends:%H:%M}"
        )
        for h, slug in (await session.exec(statement)).all()
    ]
    return TherapistWeekRead(therapist_id=therapist_id, hours=hours)


def _clock(moment: time) -> str:
    return f"{moment:%H:%M}"


# -- time off -------------------------------------------------------------------------------------


async def add_time_off(
    session: AsyncSession, *, therapist_id: uuid.UUID, data: TimeOffCreate, caller: Caller
) -> TimeOffRead:
    """Record a stretch away; 409 naming the stretch it would overlap."""
    if data.end <= data.start:
        raise InvalidInput("end must be after start.", field="body.end")
    if data.end - data.start > LONGEST_TIME_OFF:
        raise InvalidInput("Time off spans at most 366 days; add another.", field="body.end")
    await lock_schedule(session, "therapist", therapist_id)
    await _no_overlap(session, therapist_id=therapist_id, data=data)
    away = TimeOff(
        therapist_id=therapist_id,
        starts_at=data.start,
        ends_at=data.end,
        reason=data.reason,
        created_by=caller.user_id,
    )
    session.add(away)
    try:
        await session.flush()
    except IntegrityError as exc:  # the exclusion constraint: the guarantee behind the lock
        raise Conflict("This time off overlaps time off already recorded.") from exc
    return _read(away)


async def _no_overlap(
    session: AsyncSession, *, therapist_id: uuid.UUID, data: TimeOffCreate
) -> None:
    statement = select(TimeOff.id).where(
        col(TimeOff.therapist_id) == therapist_id,
        func.tstzrange(TimeOff.starts_at, TimeOff.ends_at).op("&&")(
            func.tstzrange(data.start, data.end)
        ),
    )
    clash = (await session.exec(statement)).first()
    if clash is not None:
        raise Conflict(
            f"This time off overlaps time off {clash} already recorded.", clashes_with=str(clash)
        )


async def list_time_off(
    session: AsyncSession, *, therapist_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[TimeOffRead], str | None]:
    """The therapist's time off by start, a page at a time."""
    statement = select(TimeOff).where(col(TimeOff.therapist_id) == therapist_id)
    if cursor is not None:
        starts_at, time_off_id = decode_cursor(cursor, [_cursor_moment, uuid.UUID])
        statement = statement.where(
            after([col(TimeOff.starts_at), col(TimeOff.id)], [starts_at, time_off_id])
        )
    statement = statement.order_by(col(TimeOff.starts_at), col(TimeOff.id)).limit(limit + 1)
    rows = (await session.exec(statement)).all()
    items, next_cursor = page_of(rows, limit, key=lambda t: (t.starts_at.isoformat(), t.id))
    return [_read(t) for t in items], next_cursor


async def remove_time_off(
    session: AsyncSession, *, therapist_id: uuid.UUID, time_off_id: uuid.UUID
) -> None:
    found = await session.get(TimeOff, time_off_id)
    if found is None or found.therapist_id != therapist_id:
        raise NotFound("This therapist has no time off with this id.")
    await session.delete(found)
    await session.flush()


def _cursor_moment(value: str) -> datetime:
    """A start read back from a cursor: one this service wrote is aware and in range."""
    moment = parse_datetime(value)
    if moment.tzinfo is None or not 2000 <= moment.year <= 2100:
        raise ValueError("not a start this service wrote")
    return moment


def _read(away: TimeOff) -> TimeOffRead:
    return TimeOffRead(
        id=away.id,
        therapist_id=away.therapist_id,
        start=away.starts_at.astimezone(UTC),
        end=away.ends_at.astimezone(UTC),
        reason=away.reason,
        created_at=away.created_at,
    )
