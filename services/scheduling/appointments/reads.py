"""Reading appointments: one, the day sheet and other lists for staff, a patient's own
upcoming visits. Each read is audited: one row per patient whose appointments were shown
(after a summary row of a list), so each disclosure shows on that patient's own trail.

Lists are in time order (start, then id) with a keyset cursor. Times are answered on each
clinic's clock, with its offset. A staff list carries the patients' names, asked of the
patients service once per page (names.py) after the page is read in a transaction of its
own, so no transaction waits on that call.
"""

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, ScalarSelect, cast, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.common.auth import Caller
from services.common.database import OwnTransaction
from services.common.errors import InvalidInput
from services.common.pagination import after, decode_cursor, page_of, parse_datetime
from services.scheduling import audit
from services.scheduling.appointments.access import record_event, therapist_clinics
from services.scheduling.appointments.moves import moves_from
from services.scheduling.appointments.names import PageNames, names_for_page
from services.scheduling.appointments.schemas import (
    AppointmentBooked,
    AppointmentList,
    AppointmentListed,
    AppointmentRead,
    BookingWarning,
)
from services.scheduling.clients import PatientsClient
from services.scheduling.local_time import MIDNIGHT, first_instant_at
from services.scheduling.models import Appointment, Location

UPCOMING = ("booked", "checked_in")


@dataclass(frozen=True, slots=True)
class AppointmentQuery:
    """`GET /v1/appointments`: any of a clinic, local dates from `first` to `last` (the day
    sheet: one clinic, one date), a therapist, a patient, a status; None means any."""

    location: str | None = None
    first: date | None = None
    last: date | None = None
    therapist_id: uuid.UUID | None = None
    patient_id: uuid.UUID | None = None
    status: str | None = None

    def asked(self) -> dict[str, str]:
        return {name: str(value) for name, value in asdict(self).items() if value is not None}


def appointment_query(
    location: str | None,
    *,
    day: date | None,
    first: date | None,
    last: date | None,
    therapist: uuid.UUID | None,
    patient: uuid.UUID | None,
    status: str | None,
) -> AppointmentQuery:
    """The query asked; 422 for a date given with `from` or `to`, or `to` before `from`."""
    if day is not None and (first or last):
        raise InvalidInput("Give a date, or from and to: not both.", field="query.date")
    first, last = (day, day) if day is not None else (first, last)
    if first and last and last < first:
        raise InvalidInput("to must be on or after from.", field="query.to")
    return AppointmentQuery(location, first, last, therapist, patient, status)


async def clinic_zones(session: AsyncSession) -> dict[str, ZoneInfo]:
    rows = (await session.exec(select(Location.slug, Location.time_zone))).all()
    return {slug: ZoneInfo(zone) for slug, zone in rows}


def appointment_read(appointment: Appointment, zone: ZoneInfo) -> AppointmentRead:
    return AppointmentRead(
        **appointment.model_dump(exclude={"appointment_type", "starts_at", "ends_at"}),
        type=appointment.appointment_type,
        start=appointment.starts_at.astimezone(zone),
        end=appointment.ends_at.astimezone(zone),
        moves=moves_from(appointment.status),
    )


async def answer(session: AsyncSession, appointment: Appointment) -> AppointmentRead:
    return appointment_read(appointment, (await clinic_zones(session))[appointment.location])


async def booked_read(
    session: AsyncSession, appointment: Appointment, warnings: list[BookingWarning]
) -> AppointmentBooked:
    zone = (await clinic_zones(session))[appointment.location]
    return AppointmentBooked(**dict(appointment_read(appointment, zone)), warnings=warnings)


async def read_appointment(
    session: AsyncSession,
    appointment: Appointment,
    *,
    caller: Caller,
    origin: audit.Origin,
    action: str = "appointment.read",
) -> AppointmentRead:
    await record_event(session, action, appointment, caller=caller, origin=origin)
    return appointment_read(appointment, (await clinic_zones(session))[appointment.location])


async def list_appointments(
    own: OwnTransaction,
    session: AsyncSession,
    *,
    query: AppointmentQuery,
    patients: PatientsClient,
    caller: Caller,
    origin: audit.Origin,
    limit: int,
    cursor: str | None,
) -> AppointmentList:
    """Staff: by start, with the patients' names. A therapist sees their own and those at the
    clinics where they work. The page is read in a transaction of its own (`own`), the names
    asked after it ended, and the audit rows written in the request's (`session`)."""
    async with own() as reading:
        zones = await clinic_zones(reading)
        statement = select(Appointment).where(*_filters(query, zones))
        if caller.role == "therapist":
            statement = statement.where(await _reach_of(reading, caller.user_id))
        rows, next_cursor = await _page(reading, statement, limit=limit, cursor=cursor)
    names = await names_for_page(patients, {a.patient_id for a in rows}, caller=caller)
    summary = {"filters": query.asked(), "patient_names": names.shown}
    reader = Reader.of(caller)
    await audit_list(session, "appointment.list", rows, summary, reader=reader, origin=origin)
    items = [_listed(a, zones[a.location], names) for a in rows]
    return AppointmentList(items=items, next_cursor=next_cursor, patient_names=names.shown)


def _listed(appointment: Appointment, zone: ZoneInfo, names: PageNames) -> AppointmentListed:
    read = appointment_read(appointment, zone)
    return AppointmentListed(**dict(read), patient_name=names.of(appointment.patient_id))


async def my_appointments(
    session: AsyncSession,
    *,
    caller: Caller,
    origin: audit.Origin,
    now: datetime,
    limit: int,
    cursor: str | None,
    action: str = "me.appointments.read",
) -> tuple[list[AppointmentRead], str | None]:
    """The patient's own visits still to come (booked or checked in, not yet over)."""
    statement = select(Appointment).where(
        col(Appointment.patient_id) == caller.patient_id,
        col(Appointment.status).in_(UPCOMING),
        col(Appointment.ends_at) > now,
    )
    rows, next_cursor = await _page(session, statement, limit=limit, cursor=cursor)
    reader = Reader.of(caller)
    await audit_list(session, action, rows, {}, reader=reader, origin=origin)
    zones = await clinic_zones(session)
    return [appointment_read(a, zones[a.location]) for a in rows], next_cursor


def _filters(query: AppointmentQuery, zones: dict[str, ZoneInfo]) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if query.location is not None:
        if query.location not in zones:
            raise InvalidInput(
                f"No clinic has the slug {query.location!r}.", field="query.location"
            )
        filters.append(col(Appointment.location) == query.location)
    for column, value in (
        (Appointment.therapist_id, query.therapist_id),
        (Appointment.patient_id, query.patient_id),
        (Appointment.status, query.status),
    ):
        if value is not None:
            filters.append(col(column) == value)
    return filters + _local_dates(query, zones)


def _local_dates(query: AppointmentQuery, zones: dict[str, ZoneInfo]) -> list[ColumnElement[bool]]:
    """Visits starting on the local dates asked for, on their clinic's clock: at one clinic,
    from its midnight to the midnight after the last date (so the index on the start serves
    the day sheet); across clinics, by each visit's local date."""
    if query.first is None and query.last is None:
        return []
    if query.location is None:
        day = cast(func.timezone(_zone_of_clinic(), col(Appointment.starts_at)), Date)
        bounds = [
            day >= query.first if query.first else None,
            day <= query.last if query.last else None,
        ]
        return [bound for bound in bounds if bound is not None]
    zone, starts_at = zones[query.location], col(Appointment.starts_at)
    bounds = []
    if query.first is not None:
        bounds.append(starts_at >= first_instant_at(query.first, MIDNIGHT, zone))
    if query.last is not None:
        bounds.append(starts_at < first_instant_at(query.last + timedelta(days=1), MIDNIGHT, zone))
    return bounds


def _zone_of_clinic() -> ScalarSelect[str]:
    return (
        select(Location.time_zone)
        .where(col(Location.slug) == col(Appointment.location))
        .scalar_subquery()
    )


async def _reach_of(session: AsyncSession, therapist_id: uuid.UUID) -> ColumnElement[bool]:
    clinics = await therapist_clinics(session, therapist_id)
    return or_(
        col(Appointment.therapist_id) == therapist_id, col(Appointment.location).in_(clinics)
    )


async def _page(
    session: AsyncSession,
    statement: SelectOfScalar[Appointment],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Appointment], str | None]:
    if cursor is not None:
        starts_at, appointment_id = decode_cursor(cursor, [_cursor_moment, uuid.UUID])
        key = [col(Appointment.starts_at), col(Appointment.id)]
        statement = statement.where(after(key, [starts_at, appointment_id]))
    ordered = statement.order_by(col(Appointment.starts_at), col(Appointment.id)).limit(limit + 1)
    rows = (await session.exec(ordered)).all()
    return page_of(rows, limit, key=lambda a: (a.starts_at.isoformat(), a.id))


def _cursor_moment(value: str) -> datetime:
    """A start read back from a cursor: one this service wrote is aware and in range."""
    moment = parse_datetime(value)
    if moment.tzinfo is None or not 2000 <= moment.year <= 2100:
        raise ValueError("not a start this service wrote")
    return moment


@dataclass(frozen=True, slots=True)
class Reader:
    """Whom a list was shown to, for the audit trail: the caller, or for a calendar feed
    (read with no token) the feed's therapist."""

    user_id: uuid.UUID
    role: str

    @classmethod
    def of(cls, caller: Caller) -> "Reader":
        return cls(caller.user_id, caller.role)


async def audit_list(
    session: AsyncSession,
    action: str,
    rows: Sequence[Appointment],
    summary: dict[str, Any],
    *,
    reader: Reader,
    origin: audit.Origin,
) -> None:
    """A summary row of the list (`summary` and the count), then one per patient shown,
    pointing back at it."""
    who = {"actor_user_id": reader.user_id, "actor_role": reader.role, "origin": origin}
    row = audit.event(action=action, detail=summary | {"returned": len(rows)}, **who)
    session.add(row)
    if not rows:
        return
    await session.flush()  # the summary's id, for the rows that point at it
    shown: dict[uuid.UUID, list[str]] = {}
    for appointment in rows:
        shown.setdefault(appointment.patient_id, []).append(str(appointment.id))
    await audit.trail.record_each(
        session,
        action=action,
        origin=origin,
        details={
            patient_id: {"list_event_id": row.id, "appointment_ids": ids}
            for patient_id, ids in shown.items()
        },
        actor_user_id=reader.user_id,
        actor_role=reader.role,
    )
