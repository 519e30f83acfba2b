"""HTTP routes for signing in and for accounts."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse

from services.common.auth import Caller, CallerDep, require_role
from services.common.database import SessionDep
from services.common.errors import PROBLEM_JSON, InvalidInput, problem_body, problem_response
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.patients import accounts, audit, service_identity, signin
from services.patients.audit import Origin
from services.patients.models import UserAccount
from services.patients.schemas import PasswordChange, StaffAccountCreate, TokenResponse, UserRead
from services.patients.service_identity import ServiceTokenResponse
from services.patients.tokens import TokenSigner

PROBLEM = {"content": {PROBLEM_JSON: {}}}
auth_router = APIRouter(tags=["auth"])
users_router = APIRouter(prefix="/v1/users", tags=["users"])
AdminDep = Annotated[Caller, Depends(require_role("admin"))]
SIGN_IN_FAILED = "The email or password is wrong, or the account is disabled."
Grant = Literal["password", "refresh_token", "client_credentials"]


def origin_of(request: Request) -> Origin:
    return Origin(client_ip=request.client.host if request.client else None)


OriginDep = Annotated[Origin, Depends(origin_of)]


class TokenForm:
    """OAuth2 token request: grant_type `password` (username = email), `refresh_token`, or
    `client_credentials` (another service: client_id and client_secret, or HTTP Basic)."""

    def __init__(
        self,
        grant_type: Annotated[Grant, Form()] = "password",
        username: Annotated[str | None, Form(max_length=254)] = None,
        password: Annotated[str | None, Form(max_length=256)] = None,
        refresh_token: Annotated[str | None, Form(max_length=200)] = None,
        client_id: Annotated[str | None, Form(max_length=100)] = None,
        client_secret: Annotated[str | None, Form(max_length=200)] = None,
    ) -> None:
        self.grant_type, self.username, self.password = grant_type, username, password
        self.refresh_token = refresh_token
        self.client_id, self.client_secret = client_id, client_secret


def _unauthorized(request: Request, detail: str) -> JSONResponse:
    body = problem_body(401, "unauthorized", "Not signed in", detail, request.url.path)
    return problem_response(request, body, {"WWW-Authenticate": "Bearer"})


async def _tokens(
    request: Request, session: SessionDep, account: UserAccount, refresh: str
) -> TokenResponse:
    signer: TokenSigner = request.app.state.signer
    settings = request.app.state.settings
    return TokenResponse(
        access_token=signer.access_token(
            user_id=account.id, role=account.role, patient_id=account.patient_id
        ),
        expires_in=int(signer.lifetime.total_seconds()),
        refresh_token=refresh,
        refresh_expires_in=settings.refresh_idle_minutes * 60,
    )


@auth_router.post(
    "/v1/auth/token",
    response_model=TokenResponse | ServiceTokenResponse,
    responses={401: PROBLEM, 429: PROBLEM},
)
async def issue_token(
    request: Request, form: Annotated[TokenForm, Depends()], session: SessionDep, origin: OriginDep
) -> Any:
    """Sign in with email (as `username`) and password, or trade a refresh token.

    Answers a 15-minute bearer token and a refresh token that rotates on every use.
    Services use `client_credentials` and get a short-lived service token, no refresh token.
    Repeated failures slow down, then lock the account or client for a while (429)."""
    settings = request.app.state.settings
    if form.grant_type == "client_credentials":  # another service (service_identity.py)
        return await service_identity.issue_service_token(
            request,
            session,
            client_id=form.client_id,
            client_secret=form.client_secret,
            origin=origin,
        )
    if form.grant_type == "refresh_token":
        if not form.refresh_token:
            raise InvalidInput(
                "refresh_token is required for this grant.", field="body.refresh_token"
            )
        redeemed = await signin.redeem_refresh_token(
            session, raw=form.refresh_token, settings=settings, origin=origin
        )
        if redeemed is None:
            return _unauthorized(request, "The refresh token is not valid; sign in again.")
        return await _tokens(request, session, *redeemed)
    if not form.username or not form.password:
        raise InvalidInput("username and password are required.", field="body.password")
    account = await signin.sign_in(
        session, email=form.username, password=form.password, origin=origin
    )
    if account is None:
        return _unauthorized(request, SIGN_IN_FAILED)
    refresh = await signin.issue_refresh_token(session, account=account, settings=settings)
    return await _tokens(request, session, account, refresh)


@auth_router.get("/.well-known/jwks.json", tags=["auth"])
async def signing_keys(request: Request) -> dict[str, Any]:
    """The public keys that verify this service's access tokens (JWKS)."""
    return request.app.state.signer.jwks()


@users_router.get("/me", response_model=UserRead, responses={401: PROBLEM})
async def read_current_user(caller: CallerDep, session: SessionDep) -> Any:
    """The signed-in account: id, role and, for a patient, the linked patient record."""
    return await accounts.active_account(session, caller=caller)


@users_router.post(
    "/me/password", status_code=status.HTTP_204_NO_CONTENT, responses={401: PROBLEM, 422: PROBLEM}
)
async def change_own_password(
    data: PasswordChange, caller: CallerDep, session: SessionDep, origin: OriginDep
) -> Response:
    """Change your password; every refresh token of the account stops working."""
    await accounts.change_password(session, caller=caller, data=data, origin=origin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses={401: PROBLEM, 403: PROBLEM, 409: PROBLEM},
)
async def create_staff_account(
    data: StaffAccountCreate, caller: AdminDep, session: SessionDep, origin: OriginDep
) -> Any:
    """Create a staff account (admin, therapist or front desk). Admins only."""
    return await accounts.create_staff_account(session, data=data, caller=caller, origin=origin)


@users_router.get("", response_model=Page[UserRead], responses={401: PROBLEM, 403: PROBLEM})
async def list_accounts(
    caller: AdminDep,
    session: SessionDep,
    origin: OriginDep,
    role: Literal["admin", "therapist", "front_desk", "patient"] | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """All accounts by email, optionally of one role. Admins only."""
    items, next_cursor = await accounts.list_accounts(
        session, role=role, limit=limit, cursor=cursor
    )
    # Patient logins name the patient: listing them is a PHI read.
    await audit.record(
        session,
        action="user.list",
        caller=caller,
        origin=origin,
        detail={"role": role, "returned": len(items)},
    )
    return Page(items=items, next_cursor=next_cursor)


@users_router.get(
    "/{user_id}", response_model=UserRead, responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM}
)
async def read_account(
    user_id: uuid.UUID, caller: AdminDep, session: SessionDep, origin: OriginDep
) -> Any:
    """One account. Admins only."""
    account = await accounts.account_by_id(session, user_id=user_id)
    await audit.record(
        session,
        action="user.read",
        caller=caller,
        origin=origin,
        entity=("user", user_id),
        patient_id=account.patient_id,
    )
    return account


@users_router.post(
    "/{user_id}/disable",
    response_model=UserRead,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
async def disable_account(
    user_id: uuid.UUID, caller: AdminDep, session: SessionDep, origin: OriginDep
) -> Any:
    """Disable an account: it cannot sign in, its refresh tokens stop working at once, and
    its access tokens within a few seconds (the account check). Admins only."""
    return await accounts.set_disabled(
        session, user_id=user_id, disabled=True, caller=caller, origin=origin
    )


@users_router.post(
    "/{user_id}/enable",
    response_model=UserRead,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
async def enable_account(
    user_id: uuid.UUID, caller: AdminDep, session: SessionDep, origin: OriginDep
) -> Any:
    """Enable a disabled account again (not the login of an archived patient: 409).
    Admins only."""
    return await accounts.set_disabled(
        session, user_id=user_id, disabled=False, caller=caller, origin=origin
    )
