"""HTTP routes for signing in and for accounts."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import MISSING, BaseModel, Field

from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, require_role
from services.common.database import OwnTransactionsDep, SessionDep
from services.common.errors import InvalidInput, problem_body, problem_response, problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.patients import audit
from services.patients.identity import accounts, service_identity, signin
from services.patients.identity.schemas import (
    PasswordChange,
    StaffAccountCreate,
    TokenResponse,
    UserRead,
)
from services.patients.identity.service_identity import ServiceTokenResponse
from services.patients.identity.tokens import TokenSigner
from services.patients.models import UserAccount

auth_router = APIRouter(tags=["auth"])
users_router = APIRouter(prefix="/v1/users", tags=["users"])
AdminDep = Annotated[Caller, Depends(require_role("admin"))]
SIGN_IN_FAILED = "The email or password is wrong, or the account is disabled."
Grant = Literal["password", "refresh_token", "client_credentials"]


class TokenForm(BaseModel):
    """An OAuth2 token request (RFC 6749), form-encoded. Each grant needs its own fields."""

    grant_type: Grant = Field(
        "password",
        description="`password` signs in with `username` and `password`; `refresh_token` "
        "trades a refresh token for new tokens; `client_credentials` is for the platform's "
        "other services (`client_id` and `client_secret`, or HTTP Basic).",
    )
    username: str | MISSING = Field(
        MISSING,
        min_length=1,
        max_length=254,
        description="The account's email. Required with grant_type=password.",
    )
    password: str | MISSING = Field(
        MISSING, min_length=1, max_length=256, description="Required with grant_type=password."
    )
    refresh_token: str | MISSING = Field(
        MISSING,
        min_length=1,
        max_length=200,
        description="Required with grant_type=refresh_token: the one the last token answer gave.",
    )

    client_id: str | MISSING = Field(
        MISSING, min_length=1, max_length=100, description="grant_type=client_credentials."
    )
    client_secret: str | MISSING = Field(
        MISSING, min_length=1, max_length=200, description="grant_type=client_credentials."
    )

    def sent(self, name: str) -> str | None:
        """The value of an optional field, None when it was not sent."""
        return getattr(self, name) if name in self.model_fields_set else None

    def required(self, *names: str) -> list[str]:
        """The values of the named fields; 422 naming each one that was not sent."""
        missing = [name for name in names if name not in self.model_fields_set]
        if missing:
            errors = [
                {"loc": ["body", name], "msg": "Field required", "type": "missing"}
                for name in missing
            ]
            raise InvalidInput(
                f"{' and '.join(missing)} required with grant_type={self.grant_type}.",
                errors=errors,
            )
        return [getattr(self, name) for name in names]


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
    responses=problem_responses(401, 429),
)
async def issue_token(
    request: Request,
    form: Annotated[TokenForm, Form()],
    session: SessionDep,
    own_transaction: OwnTransactionsDep,
    origin: OriginDep,
) -> Any:
    """Sign in with email (as `username`) and password, or trade a refresh token.

    Answers a 15-minute bearer token and a refresh token that rotates on every use.
    Services use `client_credentials` and get a short-lived service token, no refresh token.
    Repeated failures slow down, then lock the account from that address, or an address
    trying many accounts, for a while (429); elsewhere the account is only slowed down."""
    settings = request.app.state.settings
    if form.grant_type == "client_credentials":  # another service (service_identity.py)
        return await service_identity.issue_service_token(
            request,
            session,
            client_id=form.sent("client_id"),
            client_secret=form.sent("client_secret"),
            origin=origin,
        )
    if form.grant_type == "refresh_token":
        (raw,) = form.required("refresh_token")
        redeemed = await signin.redeem_refresh_token(
            session, raw=raw, settings=settings, origin=origin
        )
        if redeemed is None:
            return _unauthorized(request, "The refresh token is not valid; sign in again.")
        return await _tokens(request, session, *redeemed)
    email, password = form.required("username", "password")
    account = await signin.sign_in(
        session, own_transaction, email=email, password=password, origin=origin
    )
    if account is None:
        return _unauthorized(request, SIGN_IN_FAILED)
    refresh = await signin.issue_refresh_token(session, account=account, settings=settings)
    return await _tokens(request, session, account, refresh)


@auth_router.get("/.well-known/jwks.json", tags=["auth"])
async def signing_keys(request: Request) -> dict[str, Any]:
    """The public keys that verify this service's access tokens (JWKS)."""
    return request.app.state.signer.jwks()


@users_router.get("/me", response_model=UserRead, responses=problem_responses(401))
async def read_current_user(caller: CallerDep, session: SessionDep) -> Any:
    """The signed-in account: id, role and, for a patient, the linked patient record."""
    return await accounts.active_account(session, caller=caller)


@users_router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 422, 429),
)
async def change_own_password(
    request: Request,
    data: PasswordChange,
    caller: CallerDep,
    session: SessionDep,
    own_transaction: OwnTransactionsDep,
    origin: OriginDep,
) -> Response:
    """Change your password; every refresh token of the account stops working.

    Wrong current passwords count with failed sign-ins: repeated ones slow down, then lock
    the account from this address for a while (429)."""
    wrong = await accounts.change_password(
        session, own_transaction, caller=caller, data=data, origin=origin
    )
    if wrong is not None:  # answered, not raised: the counted failure must commit
        return problem_response(request, wrong.body(request.url.path), wrong.headers)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
async def create_staff_account(
    data: StaffAccountCreate, caller: AdminDep, session: SessionDep, origin: OriginDep
) -> Any:
    """Create a staff account (admin, therapist or front desk). Admins only."""
    return await accounts.create_staff_account(session, data=data, caller=caller, origin=origin)


@users_router.get("", response_model=Page[UserRead], responses=problem_responses(403))
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


@users_router.get("/{user_id}", response_model=UserRead, responses=problem_responses(403, 404))
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
    responses=problem_responses(403, 404, 409),
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
    responses=problem_responses(403, 404, 409),
)
async def enable_account(
    user_id: uuid.UUID, caller: AdminDep, session: SessionDep, origin: OriginDep
) -> Any:
    """Enable a disabled account again (not the login of an archived patient: 409).
    Admins only."""
    return await accounts.set_disabled(
        session, user_id=user_id, disabled=False, caller=caller, origin=origin
    )
