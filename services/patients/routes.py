"""HTTP routes of the patients service."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from services.common.auth import Caller, CallerDep, require_role
from services.common.database import SessionDep
from services.common.errors import PROBLEM_JSON
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.service_client import ServiceClient
from services.patients import service
from services.patients.clients import SchedulingClient
from services.patients.schemas import PatientCreate, PatientRead, TokenResponse, UserRead
from services.patients.tokens import TokenSigner

PROBLEM = {"content": {PROBLEM_JSON: {}}}
auth_router = APIRouter(tags=["auth"])
users_router = APIRouter(prefix="/v1/users", tags=["users"])
patients_router = APIRouter(prefix="/v1/patients", tags=["patients"])

PatientStaff = Annotated[Caller, Depends(require_role("front_desk", "therapist"))]


def scheduling_client(request: Request) -> SchedulingClient:
    settings = request.app.state.settings
    return SchedulingClient(
        ServiceClient(request.app.state.http, settings.scheduling_url, name="scheduling")
    )


@auth_router.post(
    "/v1/auth/token",
    response_model=TokenResponse,
    responses={401: PROBLEM},
)
async def issue_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep
) -> TokenResponse:
    """Sign in with email (as `username`) and password; answers a short-lived bearer token."""
    account = await service.authenticate(session, email=form.username, password=form.password)
    signer: TokenSigner = request.app.state.signer
    token = signer.access_token(
        user_id=account.id, role=account.role, patient_id=account.patient_id
    )
    return TokenResponse(access_token=token, expires_in=int(signer.lifetime.total_seconds()))


@auth_router.get("/.well-known/jwks.json", tags=["auth"])
async def signing_keys(request: Request) -> dict[str, Any]:
    """The public keys that verify this service's access tokens (JWKS)."""
    return request.app.state.signer.jwks()


@users_router.get("/me", response_model=UserRead, responses={401: PROBLEM})
async def read_current_user(caller: CallerDep, session: SessionDep) -> Any:
    """The signed-in account: id, role and, for a patient, the linked patient record."""
    return await service.active_account(session, caller=caller)


@patients_router.post(
    "",
    response_model=PatientRead,
    status_code=status.HTTP_201_CREATED,
    responses={401: PROBLEM, 403: PROBLEM, 503: PROBLEM},
)
async def register_patient(
    data: PatientCreate,
    caller: PatientStaff,
    session: SessionDep,
    scheduling: Annotated[SchedulingClient, Depends(scheduling_client)],
) -> Any:
    """Register a new patient (front desk or therapist)."""
    return await service.register_patient(session, data=data, scheduling=scheduling, caller=caller)


@patients_router.get("", response_model=Page[PatientRead], responses={401: PROBLEM, 403: PROBLEM})
async def search_patients(
    caller: PatientStaff,
    session: SessionDep,
    name: Annotated[str | None, Query(max_length=100, description="Name prefix.")] = None,
    status: Literal["active", "archived"] = "active",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Find patients by name prefix; ordered by family name, then given name."""
    items, next_cursor = await service.search_patients(
        session, name=name, status=status, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@patients_router.get(
    "/{patient_id}", response_model=PatientRead, responses={401: PROBLEM, 404: PROBLEM}
)
async def read_patient(patient_id: uuid.UUID, caller: CallerDep, session: SessionDep) -> Any:
    """One patient's record. A patient may read only their own."""
    return await service.patient_for(session, patient_id=patient_id, caller=caller)
