"""Writing a visit's time. The exclusion constraints decide whether it is free; when they
refuse, the answer names the appointment that holds the time (409, `clashes_with`).

The write runs in a savepoint, so a refusal leaves the request's transaction usable: the
clash is looked up in it, and a refusal's audit row still commits. The schedule locks are
held by then, so the appointment that refused us has committed and the lookup sees it.
"""

import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import Conflict
from services.scheduling.availability.slots import Interval
from services.scheduling.models import LIVE_STATUSES, Appointment

EXCLUSION_VIOLATION = "23P01"


@dataclass(frozen=True, slots=True)
class Claim:
    """Whose time a visit takes, and when: what another live visit may not share."""

    appointment_id: uuid.UUID
    therapist_id: uuid.UUID
    patient_id: uuid.UUID
    location: str
    room: str | None
    visit: Interval

    @classmethod
    def of(cls, appointment: Appointment, changes: dict[str, object]) -> "Claim":
        values: dict[str, Any] = appointment.model_dump() | changes
        return cls(
            values["id"],
            values["therapist_id"],
            values["patient_id"],
            values["location"],
            values["room"],
            Interval(values["starts_at"], values["ends_at"]),
        )


async def hold_time(
    session: AsyncSession,
    appointment: Appointment,
    *,
    zone: ZoneInfo,
    changes: dict[str, object] | None = None,
) -> None:
    """Write the new appointment, or the `changes` of a moved one; 409 naming the clash if
    its time is taken. The changes are applied inside the savepoint: made before it, they
    would be flushed as it begins, outside it."""
    claim = Claim.of(appointment, changes or {})
    try:
        async with session.begin_nested():
            appointment.sqlmodel_update(changes or {})
            session.add(appointment)
            await session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        raise await _clash(session, claim, zone) from exc


async def _clash(session: AsyncSession, claim: Claim, zone: ZoneInfo) -> Conflict:
    statement = (
        select(Appointment)
        .where(
            col(Appointment.id) != claim.appointment_id,
            col(Appointment.status).in_(LIVE_STATUSES),
            func.tstzrange(Appointment.starts_at, Appointment.ends_at).op("&&")(
                func.tstzrange(claim.visit.start, claim.visit.end)
            ),
            _sharing(claim),
        )
        .order_by(col(Appointment.starts_at))
        .limit(1)
    )
    clash = (await session.exec(statement)).first()
    if clash is None:  # freed again in the meantime: rare, and a retry may well succeed
        return Conflict("The time was taken while booking; try again.")
    held = f"{clash.starts_at.astimezone(zone):%H:%M}-{clash.ends_at.astimezone(zone):%H:%M}"
    return Conflict(
        f"{_whose(clash, claim)} already has appointment {clash.id} then ({held}).",
        clashes_with=str(clash.id),
    )


def _sharing(claim: Claim) -> ColumnElement[bool]:
    room = (
        and_(col(Appointment.location) == claim.location, col(Appointment.room) == claim.room)
        if claim.room is not None
        else false()
    )
    return or_(
        col(Appointment.therapist_id) == claim.therapist_id,
        col(Appointment.patient_id) == claim.patient_id,
        room,
    )


def _whose(clash: Appointment, claim: Claim) -> str:
    if clash.therapist_id == claim.therapist_id:
        return "The therapist"
    if clash.patient_id == claim.patient_id:
        return "The patient"
    return f"The room {claim.room!r}"
