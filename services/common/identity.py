"""Service identity: how one service proves to another that it is that service.

The patients service issues service tokens with the OAuth2 client-credentials grant
(`POST /v1/auth/token`, `grant_type=client_credentials`): one client id per service (its name)
and a secret from settings. A service token carries the role `service` and the service's name
as its subject; no account can have that role, so no user token carries it. Routes say whether
they take users, services or both (`CallerDep`, `ServiceCallerDep`, `AnyCallerDep` in auth.py).

`ServiceTokenSource` gets such a token for this service and keeps it until shortly before it
expires; concurrent requests share one grant. `ServiceClient` sends it when it does not
forward a user's token.
"""

import asyncio
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable

import httpx
from pydantic import BaseModel, Field, ValidationError

from services.common.errors import BadGateway, DependencyUnavailable
from services.common.request_context import REQUEST_ID_HEADER, current_request_id
from services.common.settings import (
    SERVICE_CLIENTS,
    ClientSettings,
    ServiceSettings,
    secret_variable,
)

log = logging.getLogger("clinic.identity")
RENEW_BEFORE_SECONDS = 30.0


SERVICE_NAMESPACE = uuid.UUID("5f0c7e1e-2d4b-4b7a-9a51-6c1d8c3f2a10")


def service_id(name: str) -> uuid.UUID:
    """The stable id a service acts under (audit rows' actor), for one of the platform's
    services; ValueError for any other name, so a token naming another is not valid."""
    if name not in SERVICE_CLIENTS:
        raise ValueError(f"{name!r} is not one of the platform's services")
    return uuid.uuid5(SERVICE_NAMESPACE, name)


def secret_matches(given: str, expected: str) -> bool:
    """Constant time, whatever the lengths: compare digests, not the secrets themselves."""
    digest = hashlib.sha256
    return hmac.compare_digest(digest(given.encode()).digest(), digest(expected.encode()).digest())


class _Grant(BaseModel):
    access_token: str = Field(min_length=1)
    expires_in: int = Field(gt=0)


class ServiceTokenSource:
    """This service's own token from the patients service, cached and renewed before expiry."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        token_url: str,
        *,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http, self._url, self._clock = http, token_url, clock
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._token, self._renew_at = "", float("-inf")
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._clock() < self._renew_at:
            return self._token
        async with self._lock:  # one grant at a time; those who waited use its token
            if self._clock() >= self._renew_at:
                await self._renew()
        return self._token

    def forget(self) -> None:
        """Drop the cached token (it was refused: the issuer's key may have changed)."""
        self._renew_at = float("-inf")

    async def _renew(self) -> None:
        grant = await self._ask()
        # Renew a little early, so a token never expires while a request carries it.
        early = min(RENEW_BEFORE_SECONDS, grant.expires_in / 2)
        self._token, self._renew_at = grant.access_token, self._clock() + grant.expires_in - early

    async def _ask(self) -> _Grant:
        request_id = current_request_id()
        headers = {REQUEST_ID_HEADER: request_id} if request_id else {}
        try:
            response = await self._http.post(self._url, data=self._form, headers=headers)
        except httpx.HTTPError as exc:
            raise DependencyUnavailable("The patients service cannot be reached.") from exc
        if response.status_code != 200:
            # A refused secret is a misconfiguration: say so in the log, not to the caller.
            log.error("the patients service refused our credentials: %s", response.status_code)
            raise DependencyUnavailable("This service cannot authenticate to the patients service.")
        try:
            return _Grant.model_validate_json(response.content, strict=True)
        except ValidationError as exc:
            raise BadGateway("The patients service sent a token answer we cannot read.") from exc


def service_token_source(
    settings: ServiceSettings, service: str, http: httpx.AsyncClient
) -> ServiceTokenSource | None:
    """The token source of a service that has a client identity (None for patients), from
    that service's own settings: the secret it holds is its own and no other's."""
    if service == "patients":
        return None
    mine = settings if isinstance(settings, ClientSettings) else None
    secret = mine.client_secret if mine and mine.client_id == service else None
    if secret is None:
        raise RuntimeError(
            f"no client secret for the {service} service: set {secret_variable(service)}"
            " (`make run` generates one in .data/service-clients.json)"
        )
    url = settings.patients_url.rstrip("/") + "/v1/auth/token"
    return ServiceTokenSource(http, url, client_id=service, client_secret=secret.get_secret_value())
