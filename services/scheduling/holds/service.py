"""Holding a time for a few minutes, confirming a hold into an appointment, releasing one.

A hold is checked as a booking is (a future start on the clinic's grid, the clinic's opening
hours, the room, the therapist's hours there and time off) and, under the schedule locks a
booking takes, in the same order, must find the time clear of live appointments and of other
live holds. A booking checks live holds under those same locks (`appointments/service.py`),
so neither can slip past the other.

Confirming books through the booking's own code, which lets the hold being confirmed through
and refuses any other. The hold's row is locked first (rows before schedule locks, as
`locks.py` says), so of two confirmations of one hold, or two accepted wait-list offers of
it, exactly one books; the other finds it confirmed. Functions flush; the request commits.
"""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.database import OwnTransaction
from services.common.errors import Conflict, InvalidInput, NotFound
from services.scheduling import audit
from services.scheduling.appointments import times
from services.scheduling.appointments.schemas import AppointmentCreate, BookingWarning
from services.scheduling.appointments.service import Rules, book_appointment, clinic_of, kind_of
from services.scheduling.audited import Subject, audited_refusal, record, refusals_audited
from services.scheduling.availability.slots import Interval
from services.scheduling.clients import PlanRef
from services.scheduling.holds.blocking import (
    TimeClaim,
    check_no_live_appointment,
    check_no_live_hold,
)
from services.scheduling.holds.schemas import HoldConfirm, HoldCreate, HoldRead
from services.scheduling.locks import lock_visit_schedules
from services.scheduling.models import Appointment, Hold, Location

NOT_FOUND = "No hold with this id."
ENTITY = "hold"


def subject_of(hold: Hold) -> Subject:
    return Subject((ENTITY, hold.id), hold.patient_id)


# -- holding ------------------------------------------------------------------------------------


async def hold_time(
    session: AsyncSession, *, data: HoldCreate, rules: Rules, caller: Caller, origin: audit.Origin
) -> Hold:
    """Hold the time for `data.minutes` (never past its start); 422 or 409 as a booking."""
    clinic = await clinic_of(session, data.location)
    kind = await kind_of(session, data.type)
    when = Interval(data.start, data.start + timedelta(minutes=kind.duration_minutes))
    claim = TimeClaim(data.therapist_id, data.patient_id, clinic.slug, data.room, when)
    await _check_time(session, clinic, claim, rules)
    hold = Hold(
        therapist_id=data.therapist_id,
        location=clinic.slug,
        room=data.room,
        appointment_type=kind.slug,
        starts_at=when.start,
        ends_at=when.end,
        expires_at=expiry(rules.now, data.minutes, when.start),
        patient_id=data.patient_id,
        created_by=caller.user_id,
    )
    session.add(hold)
    await session.flush()
    await record(session, "hold.create", subject_of(hold), caller=caller, origin=origin)
    return hold


def expiry(now: datetime, minutes: int, start: datetime) -> datetime:
    """When a hold made `now` runs out: after `minutes`, or when its visit would begin."""
    return min(now + timedelta(minutes=minutes), start)


async def _check_time(
    session: AsyncSession, clinic: Location, claim: TimeClaim, rules: Rules
) -> None:
    zone = ZoneInfo(clinic.time_zone)
    start = claim.when.start
    times.check_start(start, zone=zone, now=rules.now, step_minutes=rules.step_minutes)
    times.check_room(clinic, claim.room)
    times.check_opening_hours(clinic, claim.when)
    await lock_visit_schedules(
        session,
        therapist_id=claim.therapist_id,
        patient_id=claim.patient_id,
        location=clinic.slug,
        room=claim.room,
    )
    await times.check_therapist_hours(session, clinic, claim.therapist_id, claim.when)
    await times.check_time_off(session, claim.therapist_id, claim.when)
    # Appointments before holds: a cancellation that offers its time to the wait list turns
    # the one into the other in one commit, so read in this order one of them is seen.
    await check_no_live_appointment(session, claim, zone=zone)
    await check_no_live_hold(session, claim, now=rules.now, zone=zone)


# -- confirming ---------------------------------------------------------------------------------


async def hold_snapshot(
    own: OwnTransaction, hold_id: uuid.UUID, *, caller: Caller, origin: audit.Origin, action: str
) -> Hold:
    """The hold as it is now, read in a transaction of its own that ends at once, so that
    the patients and plans services can be asked before the unit of work begins."""
    async with own() as reading:
        hold = await reading.get(Hold, hold_id)
    if hold is None:
        raise _not_found(hold_id, action, caller=caller, origin=origin)
    return hold


def patient_to_book(hold: Hold, data: HoldConfirm) -> uuid.UUID:
    """Whom the visit is for: the hold's patient, or the body's (422 if neither or both
    differ); 409 for a hold that offers its time to the wait list."""
    if hold.freed_appointment_id is not None:
        raise Conflict(
            "This hold offers a cancelled visit's time to the wait list: it is booked by "
            "accepting one of its offers (POST /v1/waitlist/offers/{offer_id}/accept)."
        )
    if hold.patient_id is not None and data.patient_id not in (None, hold.patient_id):
        raise InvalidInput(
            "The time is held for another patient: confirm it for that patient, or release "
            "it and hold the time again.",
            field="body.patient_id",
        )
    patient_id = data.patient_id or hold.patient_id
    if patient_id is None:
        raise InvalidInput(
            "The hold names no patient: say whom the visit is for.", field="body.patient_id"
        )
    return patient_id


async def confirm_hold(
    session: AsyncSession,
    *,
    hold_id: uuid.UUID,
    patient_id: uuid.UUID,
    plan: PlanRef | None,
    rules: Rules,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[Appointment, list[BookingWarning]]:
    """Book the held time for the patient, with the checks of a booking; 409 if the hold
    was confirmed, released or has expired meanwhile."""
    hold = await current_hold(session, hold_id, caller=caller, origin=origin, action="hold.confirm")
    with refusals_audited("hold.confirm", caller=caller, origin=origin, subject=subject_of(hold)):
        check_bookable(hold, rules.now)
        return await book_held_time(
            session,
            hold,
            patient_id=patient_id,
            kind=hold.appointment_type,
            plan=plan,
            rules=rules,
            caller=caller,
            origin=origin,
        )


async def book_held_time(
    session: AsyncSession,
    hold: Hold,
    *,
    patient_id: uuid.UUID,
    kind: str,
    plan: PlanRef | None,
    rules: Rules,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[Appointment, list[BookingWarning]]:
    """Book a visit of `kind` at the start of the (locked, live) hold and mark it confirmed.
    A visit of a shorter type than the hold's fits in it (a wait-list entry's)."""
    data = AppointmentCreate(
        patient_id=patient_id,
        therapist_id=hold.therapist_id,
        location=hold.location,
        type=kind,
        start=hold.starts_at,
        plan_id=plan.id if plan else None,
        room=hold.room,
    )
    appointment, warnings = await book_appointment(
        session, data=data, plan=plan, rules=rules, caller=caller, origin=origin, hold_id=hold.id
    )
    hold.status, hold.appointment_id, hold.patient_id = "confirmed", appointment.id, patient_id
    _changed(hold, rules.now)
    await session.flush()
    detail = {"appointment_id": str(appointment.id)}
    await record(
        session, "hold.confirm", subject_of(hold), caller=caller, origin=origin, detail=detail
    )
    return appointment, warnings


def check_bookable(hold: Hold, now: datetime) -> None:
    """409 unless the hold still holds its time: not confirmed, released or expired."""
    if hold.status == "confirmed":
        raise Conflict(
            f"The hold is confirmed already, as appointment {hold.appointment_id}.",
            status_now="confirmed",
            appointment_id=str(hold.appointment_id),
        )
    if hold.status == "released":
        raise Conflict(
            "The hold was released: hold the time again, if it is still free.",
            status_now="released",
        )
    if hold.expires_at <= now:
        raise Conflict(
            f"The hold expired at {hold.expires_at.isoformat()}: hold the time again, if it "
            "is still free.",
            status_now="expired",
        )


# -- releasing ----------------------------------------------------------------------------------


async def release_hold(
    session: AsyncSession,
    *,
    hold_id: uuid.UUID,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
) -> None:
    """Give the time back (held or expired: no matter). A confirmed hold is an appointment
    now: 409, cancel that instead. Releasing a released hold changes nothing. The offers of a
    wait-list hold read as gone from then on."""
    action = "hold.release"
    hold = await current_hold(session, hold_id, caller=caller, origin=origin, action=action)
    with refusals_audited(action, caller=caller, origin=origin, subject=subject_of(hold)):
        if hold.status == "confirmed":
            raise Conflict(
                f"The hold is confirmed, as appointment {hold.appointment_id}: cancel the "
                "appointment instead.",
                status_now="confirmed",
            )
    if hold.status == "held":
        hold.status = "released"
        _changed(hold, now)
        await session.flush()
    await record(session, action, subject_of(hold), caller=caller, origin=origin)


# -- reading ------------------------------------------------------------------------------------


async def current_hold(
    session: AsyncSession,
    hold_id: uuid.UUID,
    *,
    caller: Caller,
    origin: audit.Origin,
    action: str,
    for_update: bool = True,
) -> Hold:
    """The hold as it is now (locked for the transaction when for_update), or the audited
    404. The lock is FOR NO KEY UPDATE: writers of this hold take turns, while an offer
    being written that names it (a foreign key's KEY SHARE) is not held up."""
    locking = {"key_share": True} if for_update else None
    hold = await session.get(Hold, hold_id, with_for_update=locking, populate_existing=True)
    if hold is None:
        raise _not_found(hold_id, action, caller=caller, origin=origin)
    return hold


async def answer(session: AsyncSession, hold: Hold, *, now: datetime) -> HoldRead:
    zone = ZoneInfo(await _zone(session, hold.location))
    stored = hold.model_dump(exclude={"appointment_type", "starts_at", "ends_at", "expires_at"})
    return HoldRead(
        **stored | {"status": shown_status(hold, now)},
        type=hold.appointment_type,
        start=hold.starts_at.astimezone(zone),
        end=hold.ends_at.astimezone(zone),
        expires_at=hold.expires_at.astimezone(zone),
    )


def shown_status(hold: Hold, now: datetime) -> str:
    """The stored status, but `expired` for a hold still held past its time."""
    return "expired" if hold.status == "held" and hold.expires_at <= now else hold.status


def _not_found(
    hold_id: uuid.UUID, action: str, *, caller: Caller, origin: audit.Origin
) -> NotFound:
    refusal = NotFound(NOT_FOUND)
    audited_refusal(
        refusal, action, caller=caller, origin=origin, subject=Subject((ENTITY, hold_id))
    )
    return refusal


def _changed(hold: Hold, now: datetime) -> None:
    hold.version += 1
    hold.updated_at = now


async def _zone(session: AsyncSession, slug: str) -> str:
    statement = select(Location.time_zone).where(col(Location.slug) == slug)
    return (await session.exec(statement)).one()
