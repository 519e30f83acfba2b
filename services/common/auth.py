"""Verifying access tokens offline and knowing who is calling.

The patients service signs tokens (EdDSA) and publishes its public keys at
`/.well-known/jwks.json`. Every service verifies signature, expiry, issuer and audience
with those keys, fetched once and cached; an unknown key id triggers one early refresh
(key rotation), single-flight and rate-limited so a flood of forged kids cannot hammer the
patients service. A malformed key in the set is skipped, never a 500; `iat`, `nbf` and `exp`
are checked with a leeway for hosts whose clocks are a little out of step.
"""

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

from services.common.database import SessionDep
from services.common.errors import DependencyUnavailable, Forbidden, Problem, Unauthorized
from services.common.identity import service_id
from services.common.service_client import ServiceClient

Role = Literal["admin", "therapist", "front_desk", "patient", "service"]
USER_ROLES: tuple[Role, ...] = ("admin", "therapist", "front_desk", "patient")
SERVICE_ROLE: Role = "service"  # another service of the platform (identity.py); never a user
ROLES: tuple[Role, ...] = (*USER_ROLES, SERVICE_ROLE)
STAFF_ROLES: tuple[Role, ...] = ("admin", "therapist", "front_desk")
ALGORITHM = "EdDSA"
JWKS_PATH = "/.well-known/jwks.json"
log = logging.getLogger("clinic.auth")


@dataclass(frozen=True, slots=True)
class Caller:
    """The verified identity behind a request."""

    user_id: uuid.UUID
    role: Role
    patient_id: uuid.UUID | None
    token: str = field(repr=False)  # forwarded to other services; never into a log line
    service: str | None = None  # the calling service's name, for a service token

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class KeySet(Protocol):
    async def key_for(self, kid: str) -> jwt.PyJWK | None: ...


class StaticKeySet:
    """Keys known in-process (the patients service verifies with its own public keys)."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self._keys = usable_keys(jwks["keys"])

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        return self._keys.get(kid)


class JsonWebKeySet(BaseModel):
    """The JWKS document; its keys are read one by one, so one bad key spoils no other."""

    keys: list[Any]


class RemoteKeySet:
    """The patients service's JWKS, fetched over HTTP and cached.

    Refreshes are single-flight: requests that find the cache stale while a fetch is under way
    wait for that fetch instead of starting their own.
    """

    def __init__(self, patients: ServiceClient, *, ttl: float, min_refresh: float = 30.0) -> None:
        self._patients, self._ttl, self._min_refresh = patients, ttl, min_refresh
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = self._tried_at = float("-inf")
        self._fetches = 0  # counts finished fetches, so waiters can tell one ran meanwhile
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        if self._stale(kid):
            seen = self._fetches
            async with self._lock:
                if self._fetches == seen:  # nobody fetched while we waited: our turn
                    await self._refresh()
        if not self._keys:
            raise DependencyUnavailable("Cannot fetch the signing keys to verify your token.")
        return self._keys.get(kid)

    def _stale(self, kid: str) -> bool:
        if not self._keys:
            return True
        now = time.monotonic()
        if now - self._tried_at < self._min_refresh:  # also rate-limits forged kids
            return False
        return now - self._fetched_at > self._ttl or kid not in self._keys

    async def _refresh(self) -> None:
        self._tried_at = time.monotonic()
        try:
            keys = await self._fetch()
        finally:
            self._fetches += 1
        if keys:  # else keep serving with the keys we have, and try again after min_refresh
            self._keys, self._fetched_at = keys, time.monotonic()

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        """The usable keys the patients service publishes; none when it cannot tell us."""
        try:
            document = await self._patients.get(JWKS_PATH, JsonWebKeySet)
        except Problem as exc:  # unreachable, too slow, or an answer we cannot read
            log.warning("cannot fetch the signing keys: %s", exc.detail)
            return {}
        keys = usable_keys(document.keys) if document else {}
        if not keys:
            log.warning("the published key set holds no usable signing key")
        return keys


def usable_keys(entries: list[Any]) -> dict[str, jwt.PyJWK]:
    """The keys we can verify with, by kid; a malformed one is logged and skipped."""
    keys = {}
    for entry in entries:
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if not isinstance(kid, str):
            log.warning("skipping a signing key without a key id")
            continue
        try:
            keys[kid] = jwt.PyJWK(entry, algorithm=ALGORITHM)
        except jwt.PyJWTError as exc:
            log.warning("skipping signing key %r: %s", kid[:64], exc)
    return keys


class TokenVerifier:
    def __init__(self, keys: KeySet, *, issuer: str, audience: str, leeway: float = 30) -> None:
        self.keys, self.issuer, self.audience = keys, issuer, audience
        # Seconds of clock difference between hosts tolerated on iat, nbf and exp.
        self.leeway = leeway

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
                leeway=self.leeway,
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


class RoleCheck:
    """A dependency that lets only the given roles through (403 for the others); a class, so
    that the OpenAPI document can tell the routes that refuse some callers (openapi.py)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    async def __call__(self, caller: AnyCallerDep) -> Caller:
        if caller.role not in self.roles:
            raise Forbidden(f"This action needs one of the roles: {', '.join(self.roles)}.")
        return caller


require_role = RoleCheck  # reads as what it does where a route declares it


CallerDep = Annotated[Caller, Depends(require_role(*USER_ROLES))]  # users only: services 403
ServiceCallerDep = Annotated[Caller, Depends(require_role(SERVICE_ROLE))]  # services only
StaffDep = Annotated[Caller, Depends(require_role(*STAFF_ROLES))]


class ServiceCheck:
    """A dependency that lets only the named services through: every service token passes
    `ServiceCallerDep`, but a route may be one service's to call (another service: 403)."""

    def __init__(self, *services: str) -> None:
        self.services = services

    async def __call__(self, caller: ServiceCallerDep) -> Caller:
        if caller.service not in self.services:
            raise Forbidden(f"Only these services may call this: {', '.join(self.services)}.")
        return caller


require_service = ServiceCheck
