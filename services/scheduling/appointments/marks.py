"""The moves of the day that change an appointment's status in place: check in, complete,
undo a completion, record a no-show, cancel (offering the freed time to the wait list,
`waitlist/offers.py`). Each locks the row, checks that its status allows the move (409
saying which moves it allows) and who may make it, and is audited.
Completing a plan's visit, and undoing that, queues the outcome for the plans service in the
same transaction (`outbox.py`). Functions flush; the request's session commits.
"""

import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import Conflict
from services.scheduling import audit
from services.scheduling.appointments.access import (
    Subject,
    check_marks,
    reachable_appointment,
    record_event,
    refusals_audited,
)
from services.scheduling.appointments.moves import TO, check_move
from services.scheduling.appointments.outbox import record_outcome
from services.scheduling.appointments.reads import clinic_zones
from services.scheduling.models import Appointment
from services.scheduling.waitlist.offers import OfferRules, lock_freed_schedules, offer_freed_time

LATE_CANCELLATION = timedelta(hours=24)
OUTCOMES = {"complete": "completed", "undo-completion": "undone"}


async def mark_visit(
    session: AsyncSession,
    *,
    appointment_id: uuid.UUID,
    move: str,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
) -> Appointment:
    """Check in, complete, undo a completion or record a no-show (staff; a therapist only
    their own visits). A no-show or a completion only once the visit has begun."""
    action = _action(move)
    appointment = await _locked(session, appointment_id, caller, origin, action)
    with refusals_audited(action, caller=caller, origin=origin, subject=Subject.of(appointment)):
        check_marks(caller, appointment)
        check_move(appointment, move)
        if move in ("no-show", "complete") and now < appointment.starts_at:
            raise Conflict(f"The visit has not begun yet: {move} is marked from its start.")
    _move(appointment, move, now)
    if move in OUTCOMES:
        zone = (await clinic_zones(session))[appointment.location]
        record_outcome(session, appointment, outcome=OUTCOMES[move], now=now, zone=zone)
    await session.flush()
    await record_event(session, action, appointment, caller=caller, origin=origin)
    return appointment


async def cancel_appointment(
    session: AsyncSession,
    *,
    appointment_id: uuid.UUID,
    reason: str,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
    offering: OfferRules,
) -> Appointment:
    """Cancel a booked appointment with a reason (front desk, admins; a patient their own,
    but not within 24 hours of its start). Less than 24 hours ahead it is recorded as a late
    cancellation. Its time, if still ahead, is offered to the wait list."""
    action = "appointment.cancel"
    # The schedules its time would be offered on are locked before its row (locks.py).
    freed = await lock_freed_schedules(session, appointment_id, now=now)
    appointment = await _locked(session, appointment_id, caller, origin, action)
    late = appointment.starts_at - now < LATE_CANCELLATION
    with refusals_audited(action, caller=caller, origin=origin, subject=Subject.of(appointment)):
        check_move(appointment, "cancel")
        if caller.role == "patient" and late:
            raise Conflict(
                "Within 24 hours of the visit it cannot be cancelled online: please call "
                "the clinic."
            )
    _move(appointment, "cancel", now)
    appointment.cancel_reason, appointment.cancelled_at = reason, now
    appointment.late_cancellation = late
    await session.flush()
    detail = {"late": late}
    await record_event(session, action, appointment, caller=caller, origin=origin, detail=detail)
    await offer_freed_time(
        session, appointment, locked=freed, now=now, rules=offering, caller=caller, origin=origin
    )
    return appointment


async def _locked(
    session: AsyncSession,
    appointment_id: uuid.UUID,
    caller: Caller,
    origin: audit.Origin,
    action: str,
) -> Appointment:
    return await reachable_appointment(
        session, appointment_id, caller=caller, origin=origin, action=action, for_update=True
    )


def _move(appointment: Appointment, move: str, now: datetime) -> None:
    appointment.status = TO[move]
    appointment.version += 1
    appointment.updated_at = now


def _action(move: str) -> str:
    return "appointment." + move.replace("-", "_")
