"""HTTP routes of holds: hold a time, read a hold, confirm it into an appointment, release
it. The front desk's and admins' (a wait-list offer is accepted at `/v1/waitlist`)."""

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response, status

from services.common.audit import OriginDep
from services.common.columns import utcnow
from services.common.database import OwnTransactionsDep, SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyKeyHeader
from services.common.preconditions import answers_with_etag, created_headers, with_etag
from services.scheduling.appointments import reads
from services.scheduling.appointments.schemas import AppointmentBooked
from services.scheduling.appointments.service import confirm_patient, plan_facts
from services.scheduling.audited import Subject, claim_or_replay, record, refusals_audited
from services.scheduling.clients import PatientsDep, PlansDep
from services.scheduling.desk import CREATED, Desk, RulesDep
from services.scheduling.holds import service
from services.scheduling.holds.schemas import HoldConfirm, HoldCreate, HoldRead

holds_router = APIRouter(prefix="/v1/holds", tags=["holds"])


@holds_router.post(
    "",
    response_model=HoldRead,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | CREATED | problem_responses(403, 404, 409, 502, 503),
)
async def hold_time(
    data: HoldCreate,
    request: Request,
    caller: Desk,
    session: SessionDep,
    patients: PatientsDep,
    origin: OriginDep,
    rules: RulesDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Hold a time for a few minutes (front desk, admins) while a booking is settled: until
    confirmed, released or expired it blocks the therapist, the room and the patient (if
    named) like a visit. Checked like a booking; 409 names what is in the way. Safe to retry
    with an Idempotency-Key."""
    with refusals_audited(
        "hold.create", caller=caller, origin=origin, subject=Subject(patient_id=data.patient_id)
    ):
        if data.patient_id is not None:
            await confirm_patient(patients, data.patient_id)
        key = await claim_or_replay(
            session,
            request,
            key=idempotency_key,
            of="hold.create",
            shown=_hold_shown,
            caller=caller,
            origin=origin,
        )
        if key.replay is not None:
            return key.replay
        hold = await service.hold_time(
            session, data=data, rules=rules, caller=caller, origin=origin
        )
    body = await service.answer(session, hold, now=rules.now)
    return await key.answer(201, body, headers=created_headers(f"/v1/holds/{hold.id}", hold))


@holds_router.get(
    "/{hold_id}",
    response_model=HoldRead,
    responses=answers_with_etag() | problem_responses(403, 404),
)
async def read_hold(
    hold_id: uuid.UUID, response: Response, caller: Desk, session: SessionDep, origin: OriginDep
) -> Any:
    """One hold, with its ETag (front desk, admins); `expired` once past its time."""
    hold = await service.current_hold(
        session, hold_id, caller=caller, origin=origin, action="hold.read", for_update=False
    )
    await record(session, "hold.read", service.subject_of(hold), caller=caller, origin=origin)
    return with_etag(response, await service.answer(session, hold, now=utcnow()))


@holds_router.post(
    "/{hold_id}/confirm",
    response_model=AppointmentBooked,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | CREATED | problem_responses(403, 404, 409, 502, 503),
)
async def confirm_hold(
    hold_id: uuid.UUID,
    data: HoldConfirm,
    response: Response,
    caller: Desk,
    session: SessionDep,
    own: OwnTransactionsDep,
    patients: PatientsDep,
    plans: PlansDep,
    origin: OriginDep,
    rules: RulesDep,
) -> Any:
    """Book the held time (front desk, admins): the appointment, as `POST /v1/appointments`
    answers it. The patient (the hold's, or given here) must be active; with a plan, the plan
    must cover the visit. 409 if the hold was confirmed or released, or has expired."""
    action = "hold.confirm"
    held = await service.hold_snapshot(own, hold_id, caller=caller, origin=origin, action=action)
    with refusals_audited(action, caller=caller, origin=origin, subject=service.subject_of(held)):
        patient_id = service.patient_to_book(held, data)
        await confirm_patient(patients, patient_id)
        plan = await plan_facts(plans, data.plan_id, caller=caller)
    appointment, warnings = await service.confirm_hold(
        session,
        hold_id=hold_id,
        patient_id=patient_id,
        plan=plan,
        rules=rules,
        caller=caller,
        origin=origin,
    )
    response.headers.update(created_headers(f"/v1/appointments/{appointment.id}", appointment))
    return await reads.booked_read(session, appointment, warnings)


@holds_router.delete(
    "/{hold_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404, 409),
)
async def release_hold(
    hold_id: uuid.UUID, caller: Desk, session: SessionDep, origin: OriginDep
) -> None:
    """Release a hold (front desk, admins): its time is free again at once. 409 for a
    confirmed hold: cancel its appointment instead."""
    await service.release_hold(session, hold_id=hold_id, now=utcnow(), caller=caller, origin=origin)


def _hold_shown(body: bytes) -> Subject:
    """What a replayed hold's stored answer shows again: the hold, and its patient."""
    hold = HoldRead.model_validate_json(body)
    return Subject((service.ENTITY, hold.id), hold.patient_id)
