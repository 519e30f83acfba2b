"""Verifying access tokens offline and knowing who is calling.

The patients service signs tokens (EdDSA) and publishes its public keys at
`/.well-known/jwks.json`. Every service verifies signature, expiry, issuer and audience
with those keys, fetched once and cached; an unknown key id triggers one early refresh
(key rotation), rate-limited so a flood of forged kids cannot hammer the patients service.
"""

import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from services.common.database import SessionDep
from services.common.errors import DependencyUnavailable, Forbidden, Unauthorized
from services.common.identity import service_id
from services.common.request_context import REQUEST_ID_HEADER, current_request_id

Role = Literal["admin", "therapist", "front_desk", "patient", "service"]
USER_ROLES: tuple[Role, ...] = ("admin", "therapist", "front_desk", "patient")
SERVICE_ROLE: Role = "service"  # another service of the platform (identity.py); never a user
ROLES: tuple[Role, ...] = (*USER_ROLES, SERVICE_ROLE)
STAFF_ROLES: tuple[Role, ...] = ("admin", "therapist", "front_desk")
ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class Caller:
    """The verified identity behind a request."""

    user_id: uuid.UUID
    role: Role
    patient_id: uuid.UUID | None
    token: str
    service: str | None = None  # the calling service's name, for a service token

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class KeySet(Protocol):
    async def key_for(self, kid: str) -> jwt.PyJWK | None: ...


class StaticKeySet:
    """Keys known in-process (the patients service verifies with its own public keys)."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self._keys = {k["kid"]: jwt.PyJWK(k, algorithm=ALGORITHM) for k in jwks["keys"]}

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        return self._keys.get(kid)


class RemoteKeySet:
    """The patients service's JWKS, fetched over HTTP and cached."""

    def __init__(self, http: httpx.AsyncClient, url: str, *, ttl: float, min_refresh: float = 30.0):
        self._http, self._url, self._ttl, self._min_refresh = http, url, ttl, min_refresh
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        age = time.monotonic() - self._fetched_at
        if age > self._ttl or (kid not in self._keys and age > self._min_refresh):
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        try:
            request_id = current_request_id()
            headers = {REQUEST_ID_HEADER: request_id} if request_id else {}
            response = await self._http.get(self._url, headers=headers)
            response.raise_for_status()
            keys = response.json()["keys"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            if self._keys:  # keep serving with the keys we have; try again after min_refresh
                self._fetched_at = time.monotonic() - self._ttl + self._min_refresh
                return
            raise DependencyUnavailable(
                "Cannot fetch the signing keys to verify your token."
            ) from exc
        self._keys = {k["kid"]: jwt.PyJWK(k, algorithm=ALGORITHM) for k in keys if "kid" in k}
        self._fetched_at = time.monotonic()


class TokenVerifier:
    def __init__(self, keys: KeySet, *, issuer: str, audience: str) -> None:
        self.keys, self.issuer, self.audience = keys, issuer, audience

    async def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("The bearer token is malformed.") from exc
        if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
            raise Unauthorized("The bearer token is not signed the way this service accepts.")
        key = await self.keys.key_for(header["kid"])
        if key is None:
            raise Unauthorized("The bearer token was signed with an unknown key.")
        return self._caller(token, key)

    def _caller(self, token: str, key: jwt.PyJWK) -> Caller:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud", "role"]},
            )
            role = claims["role"]
            if role not in ROLES:
                raise jwt.InvalidTokenError("unknown role")
            if role == SERVICE_ROLE:  # its subject is a service's name, not an account id
                return Caller(service_id(claims["sub"]), role, None, token, claims["sub"])
            patient = claims.get("pid")
            return Caller(
                uuid.UUID(claims["sub"]), role, uuid.UUID(patient) if patient else None, token
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The bearer token has expired; sign in again.") from exc
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise Unauthorized("The bearer token is not valid.") from exc


# Declared for the OpenAPI document (the "Authorize" button); we parse the header ourselves.
_bearer = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)


async def current_caller(
    request: Request, token: Annotated[str | None, Depends(_bearer)], session: SessionDep
) -> Caller:
    if not token:
        raise Unauthorized()
    verifier: TokenVerifier = request.app.state.verifier
    caller = await verifier.verify(token)
    if caller.role != SERVICE_ROLE:  # is the account behind the token still active?
        await request.app.state.account_check.ensure_active(caller, session)
    return caller


AnyCallerDep = Annotated[Caller, Depends(current_caller)]


def require_role(*roles: Role) -> Callable[..., Coroutine[Any, Any, Caller]]:
    """A dependency that lets only the given roles through (403 for the others)."""

    async def check(caller: AnyCallerDep) -> Caller:
        if caller.role not in roles:
            raise Forbidden(f"This action needs one of the roles: {', '.join(roles)}.")
        return caller

    return check


CallerDep = Annotated[Caller, Depends(require_role(*USER_ROLES))]  # users only: services 403
ServiceCallerDep = Annotated[Caller, Depends(require_role(SERVICE_ROLE))]  # services only
StaffDep = Annotated[Caller, Depends(require_role(*STAFF_ROLES))]
