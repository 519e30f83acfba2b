"""HTTP routes of the patient record and the audit trail."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.common import idempotency
from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, require_role
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyKeyHeader
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.preconditions import (
    IfMatchOptional,
    IfMatchRequired,
    answers_with_etag,
    created_headers,
    with_etag,
)
from services.patients import audit
from services.patients.clients import SchedulingDep
from services.patients.identity import accounts
from services.patients.identity.schemas import PatientAccountCreate, UserRead
from services.patients.models import IdempotencyKey
from services.patients.record import service
from services.patients.record.schemas import (
    ArchiveRequest,
    IsoDate,
    LocationSlug,
    PatientCreate,
    PatientRead,
    PatientUpdate,
    Phone,
)
from services.patients.record.search import PatientSearch

patients_router = APIRouter(prefix="/v1/patients", tags=["patients"])

RecordStaff = Annotated[Caller, Depends(require_role("front_desk", "therapist"))]
FrontDesk = Annotated[Caller, Depends(require_role("front_desk"))]


@patients_router.post(
    "",
    response_model=PatientRead,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | problem_responses(403, 409, 502),
)
async def register_patient(
    data: PatientCreate,
    request: Request,
    caller: RecordStaff,
    session: SessionDep,
    scheduling: SchedulingDep,
    origin: OriginDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Register a new patient (front desk or therapist). Safe to retry with an Idempotency-Key."""
    await service.check_location(scheduling, data.home_location, caller)
    key = await idempotency.claim(
        session, IdempotencyKey, key=idempotency_key, caller=str(caller.user_id), request=request
    )
    if key.replay is not None:  # the stored answer shows the record again: audited
        replayed = PatientRead.model_validate_json(key.replay.body)
        await audit.record_replay(
            session, of="patient.create", patient_id=replayed.id, caller=caller, origin=origin
        )
        return key.replay
    patient = await service.register_patient(session, data=data, caller=caller, origin=origin)
    headers = created_headers(f"/v1/patients/{patient.id}", patient)
    return await key.answer(
        201, PatientRead.model_validate(patient, from_attributes=True), headers=headers
    )


@patients_router.get("", response_model=Page[PatientRead], responses=problem_responses(403))
async def search_patients(
    caller: RecordStaff,
    session: SessionDep,
    origin: OriginDep,
    name: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Start of any name (given, family, preferred); "
            "case and accents ignored; several words narrow the search.",
        ),
    ] = None,
    birth_date: Annotated[IsoDate | None, Query()] = None,
    phone: Annotated[Phone | None, Query(description="Any common US format.")] = None,
    home_location: Annotated[LocationSlug | None, Query()] = None,
    status: Literal["active", "archived"] = "active",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Find patients; archived ones only when asked for (status=archived)."""
    search = PatientSearch(
        status=status, name=name, birth_date=birth_date, phone=phone, home_location=home_location
    )
    items, next_cursor = await service.search_patients(
        session, search=search, limit=limit, cursor=cursor, caller=caller, origin=origin
    )
    return Page(items=items, next_cursor=next_cursor)


@patients_router.get(
    "/{patient_id}",
    response_model=PatientRead,
    responses=answers_with_etag() | problem_responses(403, 404),
)
async def read_patient(
    patient_id: uuid.UUID,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """One patient's record, with its ETag. A patient may read only their own."""
    patient = await service.read_patient(
        session, patient_id=patient_id, caller=caller, origin=origin
    )
    return with_etag(response, patient)


@patients_router.patch(
    "/{patient_id}",
    response_model=PatientRead,
    responses=answers_with_etag() | problem_responses(403, 404, 409, 412, 428, 502),
)
async def update_patient(
    patient_id: uuid.UUID,
    data: PatientUpdate,
    response: Response,
    caller: CallerDep,
    if_match: IfMatchRequired,
    session: SessionDep,
    scheduling: SchedulingDep,
    origin: OriginDep,
) -> Any:
    """Change some fields. Send If-Match with the ETag you read: if someone changed the
    record since, the answer is 412 and nothing changes. Patients may change only their
    own phone, email, address and emergency contact."""
    patient = await service.update_patient(
        session,
        patient_id=patient_id,
        data=data,
        expected_versions=if_match.versions(),
        scheduling=scheduling,
        caller=caller,
        origin=origin,
    )
    return with_etag(response, patient)


@patients_router.post(
    "/{patient_id}/archive",
    response_model=PatientRead,
    responses=answers_with_etag() | problem_responses(403, 404, 409, 412),
)
async def archive_patient(
    patient_id: uuid.UUID,
    data: ArchiveRequest,
    response: Response,
    caller: RecordStaff,
    if_match: IfMatchOptional,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """Archive a patient (never deleted): hidden from default search, not bookable,
    still readable by staff. A reason is required."""
    patient = await service.archive_patient(
        session,
        patient_id=patient_id,
        reason=data.reason,
        expected_versions=if_match.versions(),
        caller=caller,
        origin=origin,
    )
    return with_etag(response, patient)


@patients_router.post(
    "/{patient_id}/account",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409),
)
async def create_patient_account(
    patient_id: uuid.UUID,
    data: PatientAccountCreate,
    request: Request,
    caller: FrontDesk,
    session: SessionDep,
    origin: OriginDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Create the patient's login (front desk); the patient then signs in with it.
    Safe to retry with an Idempotency-Key."""
    key = await idempotency.claim(
        session, IdempotencyKey, key=idempotency_key, caller=str(caller.user_id), request=request
    )
    if key.replay is not None:
        await audit.record_replay(
            session, of="account.create", patient_id=patient_id, caller=caller, origin=origin
        )
        return key.replay
    account = await accounts.create_patient_account(
        session, patient_id=patient_id, data=data, caller=caller, origin=origin
    )
    return await key.answer(201, UserRead.model_validate(account, from_attributes=True))
