"""HTTP routes of the patient record and the audit trail."""

import re
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status

from services.common import idempotency
from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, require_role
from services.common.database import SessionDep
from services.common.errors import PROBLEM_JSON, PreconditionFailed, PreconditionRequired
from services.common.idempotency import IdempotencyKeyHeader
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.service_client import CallPolicy, ServiceClient
from services.patients import accounts, service
from services.patients.clients import SchedulingClient
from services.patients.models import IdempotencyKey, Patient
from services.patients.schemas import (
    ArchiveRequest,
    LocationSlug,
    PatientAccountCreate,
    PatientCreate,
    PatientRead,
    PatientUpdate,
    Phone,
    UserRead,
)

PROBLEM = {"content": {PROBLEM_JSON: {}}}
patients_router = APIRouter(prefix="/v1/patients", tags=["patients"])

RecordStaff = Annotated[Caller, Depends(require_role("front_desk", "therapist"))]
FrontDesk = Annotated[Caller, Depends(require_role("front_desk"))]
_ETAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')


def scheduling_client(request: Request) -> SchedulingClient:
    settings = request.app.state.settings
    return SchedulingClient(
        ServiceClient(
            request.app.state.http,
            settings.scheduling_url,
            name="scheduling",
            policy=CallPolicy.from_settings(settings),
        )
    )


SchedulingDep = Annotated[SchedulingClient, Depends(scheduling_client)]


def expected_version(
    if_match: Annotated[
        str | None, Header(max_length=64, description='The ETag you read, e.g. "3". Required.')
    ] = None,
) -> int | None:
    """The version named by If-Match; None for `*`. Missing: 428, so no update is blind."""
    if if_match is None:
        raise PreconditionRequired('Send If-Match with the ETag you read (for example "3").')
    if if_match.strip() == "*":
        return None
    found = _ETAG.match(if_match.strip())
    if found is None:
        raise PreconditionFailed('If-Match must be an ETag this service issued, such as "3".')
    return int(found.group(1))


def optional_version(if_match: Annotated[str | None, Header(max_length=64)] = None) -> int | None:
    return None if if_match is None else expected_version(if_match)


def with_etag(response: Response, patient: Patient) -> Patient:
    response.headers["ETag"] = f'"{patient.version}"'
    return patient


@patients_router.post(
    "",
    response_model=PatientRead,
    status_code=status.HTTP_201_CREATED,
    responses={401: PROBLEM, 403: PROBLEM, 409: PROBLEM, 503: PROBLEM},
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
    if key.replay is not None:
        return key.replay
    patient = await service.register_patient(session, data=data, caller=caller, origin=origin)
    headers = {"Location": f"/v1/patients/{patient.id}", "ETag": f'"{patient.version}"'}
    return await key.answer(
        201, PatientRead.model_validate(patient, from_attributes=True), headers=headers
    )


@patients_router.get("", response_model=Page[PatientRead], responses={401: PROBLEM, 403: PROBLEM})
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
    birth_date: date | None = None,
    phone: Annotated[Phone | None, Query(description="Any common US format.")] = None,
    home_location: Annotated[LocationSlug | None, Query()] = None,
    status: Literal["active", "archived"] = "active",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Find patients; archived ones only when asked for (status=archived)."""
    filters = {
        "name": name,
        "birth_date": birth_date,
        "phone": phone,
        "home_location": home_location,
        "status": status,
    }
    items, next_cursor = await service.search_patients(
        session, filters=filters, limit=limit, cursor=cursor, caller=caller, origin=origin
    )
    return Page(items=items, next_cursor=next_cursor)


@patients_router.get(
    "/{patient_id}",
    response_model=PatientRead,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
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
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 412: PROBLEM, 428: PROBLEM},
)
async def update_patient(
    patient_id: uuid.UUID,
    data: PatientUpdate,
    response: Response,
    caller: CallerDep,  # before If-Match: an anonymous caller hears 401, not 428
    version: Annotated[int | None, Depends(expected_version)],
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
        expected_version=version,
        scheduling=scheduling,
        caller=caller,
        origin=origin,
    )
    return with_etag(response, patient)


@patients_router.post(
    "/{patient_id}/archive",
    response_model=PatientRead,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 412: PROBLEM},
)
async def archive_patient(
    patient_id: uuid.UUID,
    data: ArchiveRequest,
    response: Response,
    caller: RecordStaff,
    version: Annotated[int | None, Depends(optional_version)],
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """Archive a patient (never deleted): hidden from default search, not bookable,
    still readable by staff. A reason is required."""
    patient = await service.archive_patient(
        session,
        patient_id=patient_id,
        reason=data.reason,
        expected_version=version,
        caller=caller,
        origin=origin,
    )
    return with_etag(response, patient)


@patients_router.post(
    "/{patient_id}/account",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
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
        return key.replay
    account = await accounts.create_patient_account(
        session, patient_id=patient_id, data=data, caller=caller, origin=origin
    )
    return await key.answer(201, UserRead.model_validate(account, from_attributes=True))
