"""Booking an appointment and moving it to another time. Functions flush; the request's
session commits.

Other services are asked first, before the unit of work begins, so no transaction waits on
the network: the patients service that the patient exists and is active and that the
therapist is an active therapist's account (as this service: an admin who books cannot read
patient records), the plans service for the plan's facts
(with the caller's token). Either one down or slow: 503 with Retry-After, nothing written.

Then, in one transaction: the clinic and the kind of visit; the schedule locks of the
therapist, patient and room (`lock_visit_schedules`); the start (future, on the grid, a wall
time that exists), the room, the clinic's opening hours, the therapist's hours and time off,
the plan's rules with the visits already booked on it; and the write, which the exclusion
constraints accept or refuse (409 naming the clash). `book_visit` is that check and write of
one visit: a booking makes one call of it, a series one per occurrence (`series.py`). A
reschedule moves the row in place, so the old time is freed only when the new one is taken.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import Conflict, InvalidInput, NotFound
from services.scheduling import audit
from services.scheduling.appointments import times
from services.scheduling.appointments.access import record_event
from services.scheduling.appointments.clashes import hold_time
from services.scheduling.appointments.moves import check_move
from services.scheduling.appointments.plan_checks import check_plan
from services.scheduling.appointments.schemas import (
    AppointmentCreate,
    BookingWarning,
    RescheduleRequest,
)
from services.scheduling.availability.slots import Interval
from services.scheduling.clients import PatientsClient, PlanRef, PlansClient
from services.scheduling.holds.blocking import TimeClaim, check_no_live_hold
from services.scheduling.locks import lock_visit_schedules
from services.scheduling.models import Appointment, AppointmentType, Location, VisitOutcomeOutbox

PATIENT_NOT_FOUND = "No patient with this id."
NOT_A_THERAPIST = "No therapist has this id: visits are booked with a therapist's account."
CHANGED_MEANWHILE = "The appointment changed while the move was checked; read it and try again."


@dataclass(frozen=True, slots=True)
class Rules:
    """What the booking rules depend on besides the request: the clock and the grid."""

    now: datetime
    step_minutes: int


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit to write: who, where, when; `appointment_id` when it moves an existing one,
    `series_id` when it is one of a series."""

    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    clinic: Location
    room: str | None
    when: Interval
    plan: PlanRef | None
    appointment_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    hold_id: uuid.UUID | None = None  # the hold this booking confirms: it is not in the way

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.clinic.time_zone)


# -- asked of other services, before the transaction ---------------------------------------------


async def confirm_patient(patients: PatientsClient, patient_id: uuid.UUID) -> None:
    found = await patients.patient_status(patient_id)
    if found is None:
        raise NotFound(PATIENT_NOT_FOUND)
    if found.status != "active":
        raise InvalidInput(
            "The patient is archived: archived patients are not booked.", field="body.patient_id"
        )


async def confirm_therapist(patients: PatientsClient, therapist_id: uuid.UUID) -> None:
    found = await patients.account_status(therapist_id)
    if found is None or found.role != "therapist":
        raise InvalidInput(NOT_A_THERAPIST, field="body.therapist_id")
    if not found.active:
        raise InvalidInput(
            "The therapist's account is disabled: no visit is booked with them.",
            field="body.therapist_id",
        )


async def plan_facts(
    plans: PlansClient, plan_id: uuid.UUID | None, *, caller: Caller
) -> PlanRef | None:
    if plan_id is None:
        return None
    plan = await plans.plan(plan_id, token=caller.token)
    if plan is None:
        raise InvalidInput("No plan of care with this id.", field="body.plan_id")
    return plan


# -- booking ------------------------------------------------------------------------------------


async def book_appointment(
    session: AsyncSession,
    *,
    data: AppointmentCreate,
    plan: PlanRef | None,
    rules: Rules,
    caller: Caller,
    origin: audit.Origin,
    hold_id: uuid.UUID | None = None,
) -> tuple[Appointment, list[BookingWarning]]:
    """Book the visit (`hold_id`: confirming that hold, whose time it may take)."""
    clinic = await clinic_of(session, data.location)
    kind = await kind_of(session, data.type)
    when = Interval(data.start, data.start + timedelta(minutes=kind.duration_minutes))
    visit = Visit(
        data.patient_id, data.therapist_id, clinic, data.room, when, plan, hold_id=hold_id
    )
    await lock_schedules(session, visit)
    return await book_visit(session, visit, kind, rules=rules, caller=caller, origin=origin)


async def book_visit(
    session: AsyncSession,
    visit: Visit,
    kind: AppointmentType,
    *,
    rules: Rules,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[Appointment, list[BookingWarning]]:
    """Check one visit and write it, under the schedule locks the caller holds: a booking,
    or one occurrence of a series (each checked exactly as a booking is)."""
    warnings = await _check_visit(session, visit, rules)
    appointment = Appointment(
        patient_id=visit.patient_id,
        therapist_id=visit.therapist_id,
        location=visit.clinic.slug,
        room=visit.room,
        appointment_type=kind.slug,
        duration_minutes=kind.duration_minutes,
        starts_at=visit.when.start,
        ends_at=visit.when.end,
        plan_id=visit.plan.id if visit.plan else None,
        series_id=visit.series_id,
        created_by=caller.user_id,
    )
    await hold_time(session, appointment, zone=visit.zone)
    detail = {"series_id": str(visit.series_id)} if visit.series_id else None
    await record_event(
        session, "appointment.book", appointment, caller=caller, origin=origin, detail=detail
    )
    return appointment, warnings


async def lock_schedules(session: AsyncSession, visit: Visit) -> None:
    """The visit's schedule locks (therapist, patient, room), held to the end of the
    transaction: the checks that read those schedules, and the write, run under them."""
    await lock_visit_schedules(
        session,
        therapist_id=visit.therapist_id,
        patient_id=visit.patient_id,
        location=visit.clinic.slug,
        room=visit.room,
    )


async def _check_visit(session: AsyncSession, visit: Visit, rules: Rules) -> list[BookingWarning]:
    """Every rule but the clash itself (a live hold of another is one), under the schedule
    locks."""
    times.check_start(
        visit.when.start, zone=visit.zone, now=rules.now, step_minutes=rules.step_minutes
    )
    times.check_room(visit.clinic, visit.room)
    times.check_opening_hours(visit.clinic, visit.when)
    await times.check_therapist_hours(session, visit.clinic, visit.therapist_id, visit.when)
    await times.check_time_off(session, visit.therapist_id, visit.when)
    claim = TimeClaim(
        visit.therapist_id, visit.patient_id, visit.clinic.slug, visit.room, visit.when
    )
    await check_no_live_hold(session, claim, now=rules.now, zone=visit.zone, besides=visit.hold_id)
    if visit.plan is None:
        return []
    booked = await _uncounted_visits(session, visit.plan.id, besides=visit.appointment_id)
    visit_date = visit.when.start.astimezone(visit.zone).date()
    return check_plan(visit.plan, patient_id=visit.patient_id, visit_date=visit_date, booked=booked)


async def _uncounted_visits(
    session: AsyncSession, plan_id: uuid.UUID, *, besides: uuid.UUID | None
) -> int:
    """The plan's live visits the plans service does not count yet: booked or checked in,
    or completed with the completion not yet delivered."""
    undelivered = exists().where(
        col(VisitOutcomeOutbox.appointment_id) == col(Appointment.id),
        col(VisitOutcomeOutbox.outcome) == "completed",
        col(VisitOutcomeOutbox.sent_at).is_(None),
    )
    statement = select(func.count()).where(
        col(Appointment.plan_id) == plan_id,
        col(Appointment.id) != besides if besides else true(),
        or_(
            col(Appointment.status).in_(("booked", "checked_in")),
            and_(col(Appointment.status) == "completed", undelivered),
        ),
    )
    return int((await session.exec(statement)).one())


# -- rescheduling -------------------------------------------------------------------------------


async def reschedule_appointment(
    session: AsyncSession,
    *,
    appointment: Appointment,
    data: RescheduleRequest,
    plan: PlanRef | None,
    rules: Rules,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[Appointment, list[BookingWarning]]:
    """Move a booked appointment (as read before the other services were asked) to the
    new time; 409 if it changed meanwhile or the new time clashes."""
    check_move(appointment, "reschedule")
    clinic = await clinic_of(session, appointment.location)
    therapist_id = data.therapist_id or appointment.therapist_id
    room = data.room if "room" in data.model_fields_set else appointment.room
    when = Interval(data.start, data.start + timedelta(minutes=appointment.duration_minutes))
    visit = Visit(appointment.patient_id, therapist_id, clinic, room, when, plan, appointment.id)
    await lock_schedules(session, visit)
    warnings = await _check_visit(session, visit, rules)
    locked = await _as_read(session, appointment)
    detail = {"from": locked.starts_at.isoformat(), "to": when.start.isoformat()}
    await hold_time(session, locked, zone=visit.zone, changes=_moved(visit, locked.version))
    await record_event(
        session, "appointment.reschedule", locked, caller=caller, origin=origin, detail=detail
    )
    return locked, warnings


async def _as_read(session: AsyncSession, appointment: Appointment) -> Appointment:
    """The row, locked, if still as it was read before the other services were asked."""
    locked = await session.get(Appointment, appointment.id, with_for_update=True)
    if locked is None or locked.version != appointment.version:
        raise Conflict(CHANGED_MEANWHILE)
    return locked


def _moved(visit: Visit, version: int) -> dict[str, object]:
    return {
        "therapist_id": visit.therapist_id,
        "room": visit.room,
        "starts_at": visit.when.start,
        "ends_at": visit.when.end,
        "version": version + 1,
        "updated_at": utcnow(),
    }


# -- shared -------------------------------------------------------------------------------------


async def clinic_of(session: AsyncSession, slug: str) -> Location:
    found = (await session.exec(select(Location).where(col(Location.slug) == slug))).first()
    if found is None:
        raise InvalidInput(f"No clinic has the slug {slug!r}.", field="body.location")
    return found


async def kind_of(session: AsyncSession, slug: str) -> AppointmentType:
    statement = select(AppointmentType).where(col(AppointmentType.slug) == slug)
    found = (await session.exec(statement)).first()
    if found is None:
        raise InvalidInput(f"No appointment type has the slug {slug!r}.", field="body.type")
    return found
