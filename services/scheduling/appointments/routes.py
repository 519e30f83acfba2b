"""HTTP routes of appointments: book (one visit or a series), read, list (the day sheet), a
patient's own, and the moves (reschedule, cancel, check in, no-show, complete, undo a
completion)."""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, StaffDep, require_role
from services.common.columns import utcnow
from services.common.database import OwnTransactionsDep, SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyKeyHeader
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.preconditions import answers_with_etag, created_headers, with_etag
from services.common.schemas import IsoDate
from services.scheduling import audit
from services.scheduling.appointments import marks, reads, series, service
from services.scheduling.appointments.access import (
    reachable_appointment,
    staff_snapshot,
)
from services.scheduling.appointments.schemas import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCreate,
    AppointmentList,
    AppointmentRead,
    CancelRequest,
    RescheduleRequest,
    SeriesBooked,
    SeriesCreate,
)
from services.scheduling.audited import APPOINTMENT, Subject, claim_or_replay, refusals_audited
from services.scheduling.clients import PatientsDep, PlansDep
from services.scheduling.desk import CREATED, Desk, RulesDep
from services.scheduling.reference.schemas import SLUG_PATTERN
from services.scheduling.waitlist.offers import OfferRulesDep, offers_made

appointments_router = APIRouter(prefix="/v1/appointments", tags=["appointments"])
me_router = APIRouter(prefix="/v1/me/appointments", tags=["appointments"])

Canceller = Annotated[Caller, Depends(require_role("front_desk", "admin", "patient"))]
Marker = Annotated[Caller, Depends(require_role("front_desk", "admin", "therapist"))]
Patient = Annotated[Caller, Depends(require_role("patient"))]
Status = Literal["booked", "checked_in", "completed", "no_show", "cancelled"]


@appointments_router.post(
    "",
    response_model=AppointmentBooked,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | CREATED | problem_responses(403, 404, 409, 502, 503),
)
async def book_appointment(
    data: AppointmentCreate,
    request: Request,
    caller: Desk,
    session: SessionDep,
    patients: PatientsDep,
    plans: PlansDep,
    origin: OriginDep,
    booking_rules: RulesDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Book a visit (front desk, admins): the patient must be active; with a plan, the plan
    must cover it. 409 names the appointment that holds the time. Safe to retry with an
    Idempotency-Key. The answer carries warnings about the plan's authorization and
    progress report."""
    subject = Subject(patient_id=data.patient_id)
    with refusals_audited("appointment.book", caller=caller, origin=origin, subject=subject):
        await service.confirm_patient(patients, data.patient_id)
        await service.confirm_therapist(patients, data.therapist_id)
        plan = await service.plan_facts(plans, data.plan_id, caller=caller)
        key = await claim_or_replay(
            session,
            request,
            key=idempotency_key,
            of="appointment.book",
            shown=_booking_shown,
            caller=caller,
            origin=origin,
        )
        if key.replay is not None:
            return key.replay
        appointment, warnings = await service.book_appointment(
            session, data=data, plan=plan, rules=booking_rules, caller=caller, origin=origin
        )
    body = await reads.booked_read(session, appointment, warnings)
    headers = created_headers(f"/v1/appointments/{appointment.id}", appointment)
    return await key.answer(201, body, headers=headers)


@appointments_router.post(
    "/series",
    response_model=SeriesBooked,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409, 502, 503),
)
async def book_series(
    data: SeriesCreate,
    request: Request,
    caller: Desk,
    session: SessionDep,
    patients: PatientsDep,
    plans: PlansDep,
    origin: OriginDep,
    booking_rules: RulesDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Book a series of visits (front desk, admins): on the weekdays at one time of the
    clinic's clock from `first_date`, `count` of them or up to `last_date` (with a `plan_id`
    and neither, the plan's visits a week times its weeks). Each visit is checked as a single
    booking. All or nothing: 409 lists each failing date with why and the three free slots
    nearest it; with `partial`, books what fits and lists the rest. Safe to retry with an
    Idempotency-Key."""
    subject = Subject(patient_id=data.patient_id)
    with refusals_audited("appointment.book_series", caller=caller, origin=origin, subject=subject):
        series.check_request(data)
        await service.confirm_patient(patients, data.patient_id)
        await service.confirm_therapist(patients, data.therapist_id)
        plan = await service.plan_facts(plans, data.plan_id, caller=caller)
        key = await claim_or_replay(
            session,
            request,
            key=idempotency_key,
            of="appointment.book_series",
            shown=lambda body: Subject(
                (series.SERIES, SeriesBooked.model_validate_json(body).series_id), data.patient_id
            ),
            caller=caller,
            origin=origin,
        )
        if key.replay is not None:
            return key.replay
        booked = await series.book_series(
            session, data=data, plan=plan, rules=booking_rules, caller=caller, origin=origin
        )
    return await key.answer(201, booked)


@appointments_router.get("", response_model=AppointmentList, responses=problem_responses(403))
async def list_appointments(
    caller: StaffDep,
    session: SessionDep,
    own: OwnTransactionsDep,
    patients: PatientsDep,
    origin: OriginDep,
    location: Annotated[str | None, Query(pattern=SLUG_PATTERN, max_length=40)] = None,
    day: Annotated[
        IsoDate | None,
        Query(alias="date", description="One local date: with `location`, its day sheet."),
    ] = None,
    first: Annotated[IsoDate | None, Query(alias="from", description="First local date.")] = None,
    last: Annotated[IsoDate | None, Query(alias="to", description="Last local date.")] = None,
    therapist_id: Annotated[
        uuid.UUID | None, Query(description="A therapist's schedule: their own id for their own.")
    ] = None,
    patient_id: uuid.UUID | None = None,
    status: Status | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Appointments by start, with patients' names (staff). The day sheet: `location` and
    `date`; a therapist's schedule: `therapist_id`. Also by local dates (`from`, `to`, on each
    clinic's clock), patient, status. A therapist sees their own and those at the clinics
    where they work. If the patients service cannot answer, the page comes without names
    (`patient_names: unavailable`) rather than not at all."""
    query = reads.appointment_query(
        location,
        day=day,
        first=first,
        last=last,
        therapist=therapist_id,
        patient=patient_id,
        status=status,
    )
    return await reads.list_appointments(
        own,
        session,
        query=query,
        patients=patients,
        caller=caller,
        origin=origin,
        limit=limit,
        cursor=cursor,
    )


@appointments_router.get(
    "/{appointment_id:uuid}",  # only an id: `/series` is another route's path, POST only
    response_model=AppointmentRead,
    responses=answers_with_etag() | problem_responses(403, 404),
)
async def read_appointment(
    appointment_id: uuid.UUID,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """One appointment, with its ETag. A patient reads only their own."""
    appointment = await reachable_appointment(
        session, appointment_id, caller=caller, origin=origin, action="appointment.read"
    )
    return with_etag(
        response, await reads.read_appointment(session, appointment, caller=caller, origin=origin)
    )


@appointments_router.post(
    "/{appointment_id}/reschedule",
    response_model=AppointmentBooked,
    responses=answers_with_etag() | problem_responses(403, 404, 409, 502, 503),
)
async def reschedule_appointment(
    appointment_id: uuid.UUID,
    data: RescheduleRequest,
    response: Response,
    caller: Desk,
    session: SessionDep,
    own: OwnTransactionsDep,
    patients: PatientsDep,
    plans: PlansDep,
    origin: OriginDep,
    booking_rules: RulesDep,
) -> Any:
    """Move a booked visit to another time (front desk, admins), optionally to another
    therapist or room, with the checks of a booking. One transaction: the old time is freed
    only if the new one is taken."""
    action = "appointment.reschedule"
    current = await staff_snapshot(own, appointment_id, caller=caller, origin=origin, action=action)
    with refusals_audited(action, caller=caller, origin=origin, subject=Subject.of(current)):
        await service.confirm_patient(patients, current.patient_id)
        if data.therapist_id is not None and data.therapist_id != current.therapist_id:
            await service.confirm_therapist(patients, data.therapist_id)
        plan = await service.plan_facts(plans, current.plan_id, caller=caller)
        appointment, warnings = await service.reschedule_appointment(
            session,
            appointment=current,
            data=data,
            plan=plan,
            rules=booking_rules,
            caller=caller,
            origin=origin,
        )
    return with_etag(response, await reads.booked_read(session, appointment, warnings))


@appointments_router.post(
    "/{appointment_id}/cancel",
    response_model=AppointmentCancelled,
    responses=answers_with_etag() | problem_responses(403, 404, 409),
)
async def cancel_appointment(
    appointment_id: uuid.UUID,
    data: CancelRequest,
    response: Response,
    caller: Canceller,
    session: SessionDep,
    origin: OriginDep,
    offering: OfferRulesDep,
) -> Any:
    """Cancel a booked visit, with a reason (front desk, admins; a patient their own, not
    within 24 hours of its start). Less than 24 hours ahead it is recorded as late. With a
    `scope`, the later visits of its series too (`following`) or all not yet begun (`all`).
    A time still ahead is offered to the wait list: `offers` lists to whom."""
    appointment, *others = await marks.cancel_appointment(
        session,
        appointment_id=appointment_id,
        data=data,
        now=utcnow(),
        caller=caller,
        origin=origin,
        offering=offering,
    )
    read = await reads.answer(session, appointment)
    offers = [
        offer
        for visit in (appointment, *others)
        for offer in await offers_made(session, visit.id, caller=caller)
    ]
    cancelled = AppointmentCancelled(
        **dict(read), also_cancelled=[a.id for a in others], offers=offers
    )
    return with_etag(response, cancelled)


@dataclass(frozen=True, slots=True)
class VisitMark:
    """What every mark of one visit needs: the visit, who marks it, and the response that
    carries the new ETag."""

    appointment_id: uuid.UUID
    response: Response
    caller: Caller
    session: AsyncSession
    origin: audit.Origin

    async def to(self, move: str) -> AppointmentRead:
        appointment = await marks.mark_visit(
            self.session,
            appointment_id=self.appointment_id,
            move=move,
            now=utcnow(),
            caller=self.caller,
            origin=self.origin,
        )
        return with_etag(self.response, await reads.answer(self.session, appointment))


async def visit_mark(
    appointment_id: uuid.UUID,
    response: Response,
    caller: Marker,
    session: SessionDep,
    origin: OriginDep,
) -> VisitMark:
    return VisitMark(appointment_id, response, caller, session, origin)


VisitMarkDep = Annotated[VisitMark, Depends(visit_mark)]
MARKED = answers_with_etag() | problem_responses(403, 404, 409)


@appointments_router.post(
    "/{appointment_id}/check-in", response_model=AppointmentRead, responses=MARKED
)
async def check_in(mark: VisitMarkDep) -> Any:
    """The patient has arrived (front desk, admins; a therapist for their own visits)."""
    return await mark.to("check-in")


@appointments_router.post(
    "/{appointment_id}/no-show", response_model=AppointmentRead, responses=MARKED
)
async def record_no_show(mark: VisitMarkDep) -> Any:
    """The patient did not come (once the visit's start has passed). The time is free again."""
    return await mark.to("no-show")


@appointments_router.post(
    "/{appointment_id}/complete", response_model=AppointmentRead, responses=MARKED
)
async def complete_visit(mark: VisitMarkDep) -> Any:
    """The visit took place (a checked-in visit, once begun). A plan's visit counts on the
    plan: the plans service is told, now or as soon as it answers."""
    return await mark.to("complete")


@appointments_router.post(
    "/{appointment_id}/undo-completion", response_model=AppointmentRead, responses=MARKED
)
async def undo_completion(mark: VisitMarkDep) -> Any:
    """Take back a completion marked by mistake: the visit is checked in again, and a plan's
    visit no longer counts on the plan."""
    return await mark.to("undo-completion")


@me_router.get("", response_model=Page[AppointmentRead], responses=problem_responses(403))
async def my_appointments(
    caller: Patient,
    session: SessionDep,
    origin: OriginDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """The patient's own visits to come (booked or checked in), by start."""
    items, next_cursor = await reads.my_appointments(
        session, caller=caller, origin=origin, now=utcnow(), limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


def _booking_shown(body: bytes) -> Subject:
    """What a replayed booking's stored answer shows again: the visit, and its patient."""
    booked = AppointmentRead.model_validate_json(body)
    return Subject((APPOINTMENT, booked.id), booked.patient_id)
