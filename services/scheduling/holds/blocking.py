"""What stands in the way of a time: a live appointment or a live hold of the same therapist,
room or patient. Read under the schedule locks (`locks.py`) that every writer of a schedule
takes before it checks, so what is read stays true until the writer commits.

A hold is live while `held` and before its `expires_at`, by the clock the request reads: an
expired hold stands in nobody's way, and nothing has to sweep it.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import Conflict
from services.scheduling.availability.slots import Interval
from services.scheduling.models import LIVE_STATUSES, Appointment, Hold


@dataclass(frozen=True, slots=True)
class TimeClaim:
    """Whose time is asked for, and when (a hold may name no patient yet)."""

    therapist_id: uuid.UUID
    patient_id: uuid.UUID | None
    location: str
    room: str | None
    when: Interval


def live(now: datetime) -> ColumnElement[bool]:
    """A hold that still blocks its time at `now`."""
    return and_(col(Hold.status) == "held", col(Hold.expires_at) > now)


async def hold_in_the_way(
    session: AsyncSession, claim: TimeClaim, *, now: datetime, besides: uuid.UUID | None = None
) -> Hold | None:
    """The live hold (other than `besides`, the one being confirmed) that shares the
    claim's therapist, room or patient and overlaps its time."""
    statement = (
        select(Hold)
        .where(
            live(now),
            _overlapping(Hold, claim.when),
            _sharing(Hold, claim),
            col(Hold.id) != besides if besides else true(),
        )
        .order_by(col(Hold.expires_at).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def appointment_in_the_way(
    session: AsyncSession, claim: TimeClaim, *, besides: uuid.UUID | None = None
) -> Appointment | None:
    """The live appointment (other than `besides`) that shares the claim's therapist, room
    or patient and overlaps its time."""
    statement = (
        select(Appointment)
        .where(
            col(Appointment.status).in_(LIVE_STATUSES),
            _overlapping(Appointment, claim.when),
            _sharing(Appointment, claim),
            col(Appointment.id) != besides if besides else true(),
        )
        .order_by(col(Appointment.starts_at))
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def check_no_live_hold(
    session: AsyncSession,
    claim: TimeClaim,
    *,
    now: datetime,
    zone: ZoneInfo,
    besides: uuid.UUID | None = None,
) -> None:
    """409 naming the live hold in the way, and when it runs out."""
    hold = await hold_in_the_way(session, claim, now=now, besides=besides)
    if hold is None:
        return
    expires = hold.expires_at.astimezone(zone)
    raise Conflict(
        f"Hold {hold.id} reserves {_whose(hold, claim)} {_span(hold, zone)} until "
        f"{expires:%H:%M}: the time is free again then, unless the hold is confirmed first.",
        hold_id=str(hold.id),
        hold_expires_at=expires.isoformat(),
    )


async def check_no_live_appointment(
    session: AsyncSession, claim: TimeClaim, *, zone: ZoneInfo
) -> None:
    """409 naming the live appointment in the way (`clashes_with`, as a booking answers)."""
    clash = await appointment_in_the_way(session, claim)
    if clash is None:
        return
    raise Conflict(
        f"{_sentence(_whose(clash, claim))} already has appointment {clash.id} then "
        f"({_span(clash, zone)}).",
        clashes_with=str(clash.id),
    )


def _overlapping(model: Any, when: Interval) -> ColumnElement[bool]:
    during = func.tstzrange(model.starts_at, model.ends_at)
    return during.op("&&")(func.tstzrange(when.start, when.end))  # type: ignore[no-any-return]


def _sharing(model: Any, claim: TimeClaim) -> ColumnElement[bool]:
    shared = [col(model.therapist_id) == claim.therapist_id]
    if claim.patient_id is not None:  # `== None` would match every hold naming no patient
        shared.append(col(model.patient_id) == claim.patient_id)
    if claim.room is not None:
        shared.append(and_(col(model.location) == claim.location, col(model.room) == claim.room))
    return or_(*shared)


def _whose(found: Appointment | Hold, claim: TimeClaim) -> str:
    if found.therapist_id == claim.therapist_id:
        return "the therapist"
    if claim.patient_id is not None and found.patient_id == claim.patient_id:
        return "the patient"
    return f"the room {claim.room!r}"


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def _span(found: Appointment | Hold, zone: ZoneInfo) -> str:
    return f"{found.starts_at.astimezone(zone):%H:%M}-{found.ends_at.astimezone(zone):%H:%M}"
