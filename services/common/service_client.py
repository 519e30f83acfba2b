"""Calls from one service to another over REST.

One `httpx.AsyncClient` per process (built in the lifespan, with timeouts); each call passes
on the request id and the caller's token where given, or else this service's own token
(identity.py) when it has one, and reads the answer into the pydantic
model the caller names (declaring only the fields it reads).

Failures become problems, never a 500: the other service unreachable, too slow or failing ->
503 with Retry-After; an answer we cannot use (a redirect, which is never followed, an answer
over 1 MiB, one that does not decode or does not fit the model) -> 502.

Idempotent calls (a GET, or a POST that carries an Idempotency-Key) are retried with backoff on
transport errors and 502/503/504, within a total time budget for the whole call; a short
Retry-After is waited for, a long one ends the call. Other POSTs are sent exactly once.
"""

import asyncio
import math
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import stamina
from fastapi import Request
from pydantic import BaseModel, ValidationError

from services.common.errors import BadGateway, DependencyUnavailable
from services.common.identity import ServiceTokenSource
from services.common.request_context import REQUEST_ID_HEADER, current_request_id
from services.common.settings import HttpSettings

MAX_ANSWER_BYTES = 1024 * 1024
RETRIED_STATUSES = frozenset({502, 503, 504})
MAX_RETRY_AFTER_PASSED_ON = 60

Answer = TypeVar("Answer", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """How hard one call tries: attempts, and seconds for the whole call, waits included."""

    attempts: int = 3
    budget: float = 5.0
    # A Retry-After longer than this is not waited for: the call ends (503) at once.
    max_retry_after: float = 2.0

    @classmethod
    def from_settings(cls, settings: HttpSettings) -> "CallPolicy":
        return cls(attempts=settings.http_call_attempts, budget=settings.http_call_budget)


class _Transient(Exception):
    """One attempt failed in a way another attempt may not (a transport error, a 503)."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    body: bytes


class ServiceClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        name: str,
        policy: CallPolicy | None = None,
        tokens: ServiceTokenSource | None = None,
    ) -> None:
        """With `tokens`, a call that forwards no user's token is made as this service."""
        self.http, self._base, self.name = http, base_url.rstrip("/"), name
        self.policy = policy or CallPolicy()
        self._tokens = tokens

    async def get(
        self,
        path: str,
        answer: type[Answer],
        *,
        token: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Answer | None:
        """The answer of a GET read as `answer`, or None when the other service answers 404."""
        reply = await self._call_as("GET", path, token=token, idempotent=True, params=params)
        return None if reply.status == 404 else self._read(reply, answer)

    async def post(
        self,
        path: str,
        body: BaseModel,
        answer: type[Answer],
        *,
        token: str | None = None,
        idempotency_key: str | None = None,
    ) -> Answer:
        """The answer of a POST of `body` as JSON; retried only under an Idempotency-Key."""
        headers = {"Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        content = body.model_dump_json().encode()
        idempotent = idempotency_key is not None
        reply = await self._call_as(
            "POST", path, token=token, idempotent=idempotent, content=content, headers=headers
        )
        return self._read(reply, answer)

    async def _call_as(
        self, method: str, path: str, *, token: str | None, idempotent: bool, **kw: Any
    ) -> _Reply:
        """Forward the user's token; without one, present this service's own token, and once
        more with a fresh one if it was refused (the cached one outlived its signing key)."""
        if token is not None or self._tokens is None:
            request = self._request(method, path, token=token, **kw)
            return await self._call(request, idempotent=idempotent)
        request = self._request(method, path, token=await self._tokens.token(), **kw)
        reply = await self._call(request, idempotent=idempotent)
        if reply.status == 401:
            self._tokens.forget()
            request = self._request(method, path, token=await self._tokens.token(), **kw)
            reply = await self._call(request, idempotent=idempotent)
        return reply

    def _request(self, method: str, path: str, *, token: str | None, **kw: Any) -> httpx.Request:
        headers = self._headers(token) | kw.pop("headers", {})
        try:
            return self.http.build_request(method, self._base + path, headers=headers, **kw)
        except (httpx.InvalidURL, httpx.HTTPError) as exc:
            raise BadGateway(f"Cannot address the {self.name} service for this call.") from exc

    async def _call(self, request: httpx.Request, *, idempotent: bool) -> _Reply:
        retrying = stamina.AsyncRetryingCaller(
            attempts=self.policy.attempts if idempotent else 1,
            timeout=self.policy.budget,
            wait_initial=0.1,
            wait_max=1.0,
            wait_jitter=0.1,
        ).on(self._worth_retrying)

        # A closure without arguments: stamina logs the arguments of what it retries, and the
        # request's URL may carry PHI in its query string.
        async def attempt() -> _Reply:
            return await self._attempt(request)

        try:
            async with asyncio.timeout(self.policy.budget):
                return await retrying(attempt)
        except TimeoutError as exc:
            raise DependencyUnavailable(f"The {self.name} service did not answer in time.") from exc
        except _Transient as exc:
            raise DependencyUnavailable(
                f"The {self.name} service {exc.reason}.", retry_after=_passed_on(exc.retry_after)
            ) from exc

    def _worth_retrying(self, exc: Exception) -> bool | float:
        if not isinstance(exc, _Transient):
            return False
        if exc.retry_after is None:
            return True  # stamina's own backoff
        return exc.retry_after if exc.retry_after <= self.policy.max_retry_after else False

    async def _attempt(self, request: httpx.Request) -> _Reply:
        try:
            response = await self.http.send(request, stream=True, follow_redirects=False)
            try:
                body = await self._read_capped(response)
            finally:
                await response.aclose()
        except httpx.TransportError as exc:  # cannot connect, timed out, connection broken
            raise _Transient("cannot be reached") from exc
        except (httpx.HTTPError, httpx.StreamError) as exc:  # DecodingError and the rest
            raise BadGateway(f"The {self.name} service sent an answer we cannot read.") from exc
        if response.status_code in RETRIED_STATUSES:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise _Transient(f"answered {response.status_code}", retry_after=retry_after)
        if response.status_code >= 500:
            raise DependencyUnavailable(f"The {self.name} service is failing.")
        return _Reply(response.status_code, body)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        # Counted after decoding, so a small compressed answer cannot expand past the cap.
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise BadGateway(f"The {self.name} service sent an oversized answer.")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read(self, reply: _Reply, answer: type[Answer]) -> Answer:
        if not 200 <= reply.status < 300:
            raise BadGateway(f"The {self.name} service answered {reply.status}.")
        try:
            return answer.model_validate_json(reply.body)
        except ValidationError as exc:
            raise BadGateway(f"The {self.name} service sent an answer we cannot read.") from exc

    @staticmethod
    def _headers(token: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers


def process_client(request: Request, name: str) -> ServiceClient:
    """This process's one client of service `name` (`patients`, `plans`, `scheduling`), built
    on first use on the process's httpx client, calling as this service where no user's
    token is forwarded. What a service's `clients.py` wraps in its own typed client."""
    return app_client(request.app, name)


def app_client(app: Any, name: str) -> ServiceClient:
    """`process_client` where there is no request (a background task of the app).
    Rebuilt when the lifespan's httpx client is (a restarted app closed the old one)."""
    http = app.state.http
    clients: dict[str, ServiceClient] = app.state.__dict__.setdefault("clients", {})
    if name not in clients or clients[name].http is not http:
        settings = app.state.settings
        clients[name] = ServiceClient(
            http,
            getattr(settings, f"{name}_url"),
            name=name,
            policy=CallPolicy.from_settings(settings),
            tokens=app.state.service_tokens,
        )
    return clients[name]


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After given in seconds; None when absent or a date (rare between
    our services: stamina's own backoff is used then)."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())


def _passed_on(retry_after: float | None) -> int:
    if retry_after is None:
        return 5
    return max(1, min(MAX_RETRY_AFTER_PASSED_ON, math.ceil(retry_after)))
