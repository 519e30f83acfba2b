"""Pure ASGI middleware: request ids, the request-body size cap, `Cache-Control: no-store`
on anything private, and the access log.

Pure ASGI (not BaseHTTPMiddleware) keeps the per-request cost low and streams untouched.
"""

import json
import logging
import re
import time
from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.errors import PROBLEM_JSON, problem_body
from services.common.request_context import TrustedPeers, adopt_request_id, release_request_id

access_log = logging.getLogger("clinic.access")
error_log = logging.getLogger("clinic.errors")
_PREFIX = re.compile(r"^/[a-z][a-z0-9-]{0,30}$")
_CACHING = {b"cache-control", b"pragma"}
# Pragma for HTTP/1.0 caches, as RFC 6749 (5.1) asks of token answers.
_NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


class _BodyTooLarge(HTTPException):
    """An HTTPException so that FastAPI's body parsing re-raises it instead of answering 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class RequestContextMiddleware:
    """Settles who is asking (client address, request id), caps the body, keeps private
    answers out of caches, and logs the request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        trusted_proxies: Iterable[IPv4Network | IPv6Network],
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.trusted = TrustedPeers(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        scope, incoming_id = self._who_is_asking(scope, headers)
        request_id, context = adopt_request_id(incoming_id)
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
                message["headers"] = _answer_headers(message, scope["path"], request_id)
            await send(message)

        try:
            if self._declared_too_large(headers):
                await self._reject_too_large(scope, send_with_id)
            else:
                await self.app(scope, self._capped(receive), send_with_id)
        except _BodyTooLarge:
            if status["sent"]:
                raise
            await self._reject_too_large(scope, send_with_id)
        except Exception:
            # A bug. Answered here rather than by Starlette's outer error middleware so the
            # 500 still carries the request id; logged with the traceback, which the body never has.
            if status["sent"]:
                raise
            error_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await self._send_problem(
                scope,
                send_with_id,
                500,
                "internal-error",
                "Internal error",
                "Something went wrong on our side; it has been logged.",
            )
        finally:
            self._log(scope, status["code"], started)
            release_request_id(context)

    def _who_is_asking(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[Scope, str | None]:
        """The scope as a trusted peer forwarded it, and the request id it sent. Anyone
        else's forwarded headers and id are ignored: they could choose their own address or
        plant ids in the audit trail."""
        peer = scope.get("client")
        if not self.trusted.trust(peer[0] if peer else None):
            return scope, None
        return self._as_the_proxy_saw_it(scope, headers), _header(headers, b"x-request-id")

    def _as_the_proxy_saw_it(self, scope: Scope, headers: dict[bytes, bytes]) -> Scope:
        """The scope with the client address, scheme and mount prefix a trusted proxy
        forwarded, so request.client.host (the audit trail, the sign-in throttle) is the
        client's, not the proxy's."""
        changes: dict[str, Any] = {}
        forwarded_for = _joined(scope, b"x-forwarded-for")
        client = self.trusted.client_behind(forwarded_for) if forwarded_for else None
        if client is not None:
            changes["client"] = (client, 0)
        proto = (_header(headers, b"x-forwarded-proto") or "").rsplit(",", 1)[-1].strip()
        if proto in ("http", "https"):
            changes["scheme"] = proto
        prefix = _header(headers, b"x-forwarded-prefix")
        if prefix and _PREFIX.match(prefix):
            # Behind the proxy (/plans/docs -> /docs) the docs page must fetch /plans/openapi.json.
            changes["root_path"] = prefix
        # In place, as uvicorn's proxy-headers middleware does: whoever wrapped this app
        # (a test's route ledger, an outer middleware) sees the same scope the router fills in.
        scope.update(changes)
        return scope

    def _declared_too_large(self, headers: dict[bytes, bytes]) -> bool:
        length = _header(headers, b"content-length")
        return length is not None and length.isdigit() and int(length) > self.max_body_bytes

    def _capped(self, receive: Receive) -> Receive:
        seen = 0

        async def capped_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise _BodyTooLarge(self.max_body_bytes)
            return message

        return capped_receive

    async def _reject_too_large(self, scope: Scope, send: Send) -> None:
        detail = f"The request body is larger than the limit of {self.max_body_bytes} bytes."
        await self._send_problem(
            scope, send, 413, "payload-too-large", "Request body too large", detail
        )

    @staticmethod
    async def _send_problem(
        scope: Scope, send: Send, status: int, slug: str, title: str, detail: str
    ) -> None:
        payload = json.dumps(problem_body(status, slug, title, detail, scope["path"])).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(payload)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _log(self, scope: Scope, status: int, started: float) -> None:
        access_log.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )


def _answer_headers(start: Message, path: str, request_id: str) -> list[tuple[bytes, bytes]]:
    """The answer's headers with the request id, and no-store when it is private."""
    headers = [*start.get("headers", []), (b"x-request-id", request_id.encode())]
    if _never_stored(path, start["status"]):
        headers = [h for h in headers if h[0].lower() not in _CACHING] + _NO_STORE
    return headers


def _never_stored(path: str, status: int) -> bool:
    """Whether no cache may keep the answer: every API answer (a record, a search page, a
    token) and every error. Health, keys and the API documents stay cacheable."""
    return path.startswith("/v1/") or status >= 400


def _header(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value is not None else None


def _joined(scope: Scope, name: bytes) -> str:
    """Every value of a header that may be sent more than once, in order, comma-joined."""
    return ",".join(v.decode("latin-1") for k, v in scope["headers"] if k.lower() == name)
