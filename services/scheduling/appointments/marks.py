"""The moves of the day that change an appointment's status in place: check in, complete,
undo a completion, record a no-show, cancel (one visit, or with it the rest of its series;
offering the freed time to the wait list, `waitlist/offers.py`). Each locks the row, checks
that its status allows the move (409 saying which moves it allows) and who may make it, and
is audited.
Completing a plan's visit, and undoing that, queues the outcome for the plans service in the
same transaction (`outbox.py`). Functions flush; the request's session commits.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import Conflict, InvalidInput
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
from services.scheduling.appointments.schemas import CancelRequest, CancelScope
from services.scheduling.models import Appointment
from services.scheduling.waitlist.offers import OfferRules, lock_freed_schedules, offer_freed_time

LATE_CANCELLATION = timedelta(hours=24)
CANCEL = "appointment.cancel"
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
    data: CancelRequest,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
    offering: OfferRules,
) -> list[Appointment]:
    """Cancel a booked appointment with a reason and, by `data.scope`, the rest of its
    series (front desk, admins; a patient their own, but not within 24 hours of the start
    of any visit it takes: then none is cancelled). Each visit goes through `cancel_visit`.
    The appointment named comes first, then the others by start. Each freed time still
    ahead on the named visit's schedules (a series keeps its therapist and room unless one
    visit was moved) is offered to the wait list."""
    # Those schedules are locked before any row (the lock order is in locks.py).
    freed = await lock_freed_schedules(session, appointment_id, now=now)
    visits = await _to_cancel(session, appointment_id, data.scope, caller, origin, now)
    for visit in visits:
        await cancel_visit(
            session,
            visit,
            reason=data.reason,
            scope=data.scope,
            now=now,
            caller=caller,
            origin=origin,
        )
        await offer_freed_time(
            session, visit, locked=freed, now=now, rules=offering, caller=caller, origin=origin
        )
    return visits


async def cancel_visit(
    session: AsyncSession,
    appointment: Appointment,
    *,
    reason: str,
    scope: CancelScope,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
) -> None:
    """Cancel one booked visit, locked by the caller. Less than 24 hours ahead it is recorded
    as a late cancellation, which a patient may not make online."""
    late = appointment.starts_at - now < LATE_CANCELLATION
    with refusals_audited(CANCEL, caller=caller, origin=origin, subject=Subject.of(appointment)):
        check_move(appointment, "cancel")
        if caller.role == "patient" and late:
            raise Conflict(
                "Within 24 hours of the visit it cannot be cancelled online: please call "
                "the clinic.",
                appointment_id=str(appointment.id),
            )
    _move(appointment, "cancel", now)
    appointment.cancel_reason, appointment.cancelled_at = reason, now
    appointment.late_cancellation = late
    await session.flush()
    detail: dict[str, object] = {"late": late} | ({"scope": scope} if scope != "this" else {})
    await record_event(session, CANCEL, appointment, caller=caller, origin=origin, detail=detail)


async def _to_cancel(
    session: AsyncSession,
    appointment_id: uuid.UUID,
    scope: CancelScope,
    caller: Caller,
    origin: audit.Origin,
    now: datetime,
) -> list[Appointment]:
    """The visits the scope takes, locked: the one named, then the others by start."""
    if scope == "this":
        return [await _locked(session, appointment_id, caller, origin, CANCEL)]
    named = await reachable_appointment(
        session, appointment_id, caller=caller, origin=origin, action=CANCEL
    )
    with refusals_audited(CANCEL, caller=caller, origin=origin, subject=Subject.of(named)):
        if named.series_id is None:
            raise InvalidInput(
                f"The appointment is not one of a series: cancel it alone (scope `this`), "
                f"not {scope!r}.",
                field="body.scope",
            )
    series = await _series_locked(session, named, scope, now)
    return [named] + [visit for visit in series if visit.id != named.id]


async def _series_locked(
    session: AsyncSession, named: Appointment, scope: CancelScope, now: datetime
) -> list[Appointment]:
    """The named visit and the booked visits of its series the scope takes (`following`:
    later than it; `all`: not yet begun), locked in order of start: two requests cancelling
    in one series take its rows in one order, so neither can hold one the other waits for
    while waiting for one it holds (a deadlock)."""
    later_than = named.starts_at if scope == "following" else now
    statement = (
        select(Appointment)
        .where(
            col(Appointment.series_id) == named.series_id,
            or_(
                col(Appointment.id) == named.id,
                and_(
                    col(Appointment.status) == "booked",
                    col(Appointment.starts_at) > later_than,
                ),
            ),
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
        .with_for_update()
        .execution_options(populate_existing=True)  # the named one as it is once locked
    )
    return list((await session.exec(statement)).all())


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
