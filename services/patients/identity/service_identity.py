"""Service identity in the patients service, and its side of the account check.

- The client-credentials grant: plans and scheduling trade their client id and secret for a
  short-lived service token (role `service`, subject the service's name).
- The account status other services ask for (`GET /v1/accounts/{id}/status`, service only),
  read straight from the table so their cache is the only one in the way.
- This service's own account check: the same indexed lookup, cached a few seconds in-process,
  and forgotten here as soon as this process disables an account or archives its patient.
"""

import base64
import binascii
import uuid
from datetime import timedelta
from typing import Literal
from urllib.parse import unquote_plus

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from sqlalchemy import event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.account_check import INACTIVE, AccountStatusCache
from services.common.auth import SERVICE_ROLE, Caller, Role
from services.common.errors import InvalidInput, NotFound, Unauthorized
from services.common.identity import secret_matches, service_id
from services.patients import audit
from services.patients.identity.tokens import TokenSigner
from services.patients.models import Patient, UserAccount
from services.patients.settings import PatientsSettings

CREDENTIALS_WRONG = "The client id or secret is wrong."
# Compared against when the client id is unknown, so the time taken says nothing about ids.
_NO_SECRET = "-" * 43
_STATUSES = "account_statuses"  # where a request's session finds this process's cache


class ServiceTokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (a scheme name, not a secret)
    expires_in: int = Field(description="Seconds until the service token expires.")


class AccountStatusRead(BaseModel):
    user_id: uuid.UUID
    active: bool = Field(description="False once the account is disabled or its patient archived.")
    role: Role = Field(
        description="What the account is: plans checks a plan's therapist by it, scheduling "
        "that an id whose hours it stores is a therapist's."
    )
    display_name: str = Field(description="The name other services show for the account.")


# -- the client-credentials grant -----------------------------------------------------------------


def client_credentials(
    request: Request, *, client_id: str | None, client_secret: str | None
) -> tuple[str, str] | None:
    """The client id and secret, from the form or from HTTP Basic (RFC 6749 2.3.1), never
    both; None when either is missing or unreadable."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return (client_id, client_secret) if client_id and client_secret else None
    if client_id or client_secret:
        raise InvalidInput(
            "Send the client credentials once: in the form or with HTTP Basic, not both.",
            field="body.client_secret",
        )
    try:
        pair = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    given_id, _, given_secret = pair.partition(":")
    given_id, given_secret = unquote_plus(given_id), unquote_plus(given_secret)
    return (given_id, given_secret) if given_id and given_secret else None


def authenticated_client(
    settings: PatientsSettings, credentials: tuple[str, str] | None
) -> str | None:
    """The service whose secret this is, or None."""
    if credentials is None:
        return None
    client_id, secret = credentials
    expected = settings.client_secret(client_id)
    matches = secret_matches(secret, expected or _NO_SECRET)
    return client_id if expected is not None and matches else None


async def issue_service_token(
    request: Request,
    session: AsyncSession,
    *,
    client_id: str | None,
    client_secret: str | None,
    origin: audit.Origin,
) -> ServiceTokenResponse:
    """The answer to a client-credentials grant; 401 (audited) for wrong credentials."""
    settings: PatientsSettings = request.app.state.settings
    credentials = client_credentials(request, client_id=client_id, client_secret=client_secret)
    service = authenticated_client(settings, credentials)
    if service is None:
        tried = credentials[0] if credentials else client_id
        failure = audit.event(
            action="auth.service_token",
            outcome="failure",
            actor_role=SERVICE_ROLE,
            origin=origin,
            detail={"client_id": tried},
        )
        headers = {"WWW-Authenticate": 'Basic realm="clinic services"'}
        raise Unauthorized(CREDENTIALS_WRONG, headers=headers).keeping(failure)
    signer: TokenSigner = request.app.state.signer
    lifetime = timedelta(seconds=settings.service_token_seconds)
    await audit.record(
        session,
        action="auth.service_token",
        actor_user_id=service_id(service),
        actor_role=SERVICE_ROLE,
        origin=origin,
        detail={"client_id": service},
    )
    return ServiceTokenResponse(
        access_token=signer.service_token(service=service, lifetime=lifetime),
        expires_in=settings.service_token_seconds,
    )


# -- account status, and this service's account check ----------------------------------------


async def account_status(session: AsyncSession, *, user_id: uuid.UUID) -> AccountStatusRead:
    found = await _account_and_patient(session, user_id=user_id)
    if found is None:
        raise NotFound("No account with this id.")
    account, patient_status = found
    return AccountStatusRead(
        user_id=user_id,
        active=_active(account.disabled_at, patient_status),
        role=account.role,  # type: ignore[arg-type]
        display_name=account.display_name,
    )


async def account_is_active(session: AsyncSession, *, user_id: uuid.UUID) -> bool | None:
    """One primary-key lookup (and its patient's, for a patient login); None: no account."""
    statement = (
        select(UserAccount.disabled_at, Patient.status)
        .outerjoin(Patient, col(Patient.id) == col(UserAccount.patient_id))
        .where(col(UserAccount.id) == user_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else _active(*row)


async def _account_and_patient(
    session: AsyncSession, *, user_id: uuid.UUID
) -> tuple[UserAccount, str | None] | None:
    statement = (
        select(UserAccount, Patient.status)
        .outerjoin(Patient, col(Patient.id) == col(UserAccount.patient_id))
        .where(col(UserAccount.id) == user_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1])


def _active(disabled_at: object, patient_status: str | None) -> bool:
    return disabled_at is None and patient_status in (None, "active")


class LocalAccountCheck:
    """The patients service's account check: the indexed lookup, cached a few seconds."""

    def __init__(self, statuses: AccountStatusCache) -> None:
        self.statuses = statuses

    async def ensure_active(self, caller: Caller, session: AsyncSession) -> None:
        session.info[_STATUSES] = self.statuses  # for forget_account, later in this request
        active = self.statuses.get(caller.user_id)
        if active is None:
            active = bool(await self._look_up(session, caller.user_id))
            self.statuses.put(caller.user_id, active)
        if not active:
            raise Unauthorized(INACTIVE)

    @staticmethod
    async def _look_up(session: AsyncSession, user_id: uuid.UUID) -> bool | None:
        # A read of its own: end the transaction it opened, so none stays open into the route
        # (which may call another service before it touches the database).
        began = not session.in_transaction()
        try:
            return await account_is_active(session, user_id=user_id)
        finally:
            if began:
                await session.rollback()


def own_account_check(app: FastAPI) -> LocalAccountCheck:
    settings: PatientsSettings = app.state.settings
    return LocalAccountCheck(AccountStatusCache(settings.account_check_seconds))


def forget_account(session: AsyncSession, *, user_id: uuid.UUID) -> None:
    """This request disables, enables or archives the account: drop this process's cached
    answer now, and again once the change commits (a request in between may have re-read
    the old state). Other processes learn it when their cache runs out."""
    statuses: AccountStatusCache | None = session.info.get(_STATUSES)
    if statuses is None:  # the operator's CLI: no cache in this process
        return
    statuses.forget(user_id)
    event.listen(
        session.sync_session, "after_commit", lambda _: statuses.forget(user_id), once=True
    )
