"""The in-process services as the client sees them, in both URL layouts, and the transports
the client tests put between them: failures on cue, and a bridge for the blocking client.

- three URLs (`make run`): each service at its own host, routed by host name;
- one URL (docker-compose): every request routed by path the way deploy/Caddyfile routes it,
  read from the file itself by tests/test_compose.py's model of it, prefixes stripped and
  X-Forwarded-Prefix set as Caddy does, anything else a 404 of the proxy's own.
"""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from clinic_client import ServiceURLs

from tests.test_compose import _route as caddy_route
from tests.transport import ServiceRouter

LAYOUTS = ("three-urls", "proxy")
PROXY_URL = "http://clinic.test"
SERVICE_URLS = ServiceURLs(
    patients="http://patients.test", plans="http://plans.test", scheduling="http://scheduling.test"
)
_NOT_ROUTED = {"type": "about:blank", "title": "Not Found", "status": 404}


def urls_of(layout: str) -> ServiceURLs:
    return ServiceURLs.behind_proxy(PROXY_URL) if layout == "proxy" else SERVICE_URLS


def transport_of(layout: str, apps: dict[str, object]) -> httpx.AsyncBaseTransport:
    if layout == "proxy":
        return CaddyProxy(apps)
    router = ServiceRouter()
    for name, app in apps.items():
        router.mount(f"{name}.test", app)
    return router


class CaddyProxy(httpx.AsyncBaseTransport):
    """One host in front of the three apps, routing as deploy/Caddyfile does."""

    def __init__(self, apps: dict[str, object]) -> None:
        self._apps = {name: httpx.ASGITransport(app=app) for name, app in apps.items()}  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        upstream, seen, status = caddy_route(request.url.path)
        if upstream is None:
            body = _NOT_ROUTED | {"detail": "No service serves this path."}
            headers = {"Content-Type": "application/problem+json"}
            return httpx.Response(status or 404, headers=headers, content=json.dumps(body))
        service = upstream.split(":")[0]
        prefix = request.url.path[: len(request.url.path) - len(seen)]
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"x-forwarded-prefix"]
        if prefix:
            headers.append((b"X-Forwarded-Prefix", prefix.encode()))
        forwarded = httpx.Request(
            request.method,
            request.url.copy_with(path=seen),
            headers=headers,
            content=await request.aread(),
        )
        return await self._apps[service].handle_async_request(forwarded)


@dataclass(frozen=True)
class LostAnswer:
    """The request reaches the service and is carried out; its answer never comes back."""

    error: Exception


Outcome = httpx.Response | Exception | LostAnswer


@dataclass
class Flaky(httpx.AsyncBaseTransport):
    """Answers the next requests that `when` picks with scripted outcomes (an answer, or an
    exception raised as a transport error would be), then passes them on. Every request
    that reached it is in `sent`."""

    inner: httpx.AsyncBaseTransport
    when: Callable[[httpx.Request], bool] = lambda request: True
    script: list[Outcome] = field(default_factory=list)
    sent: list[httpx.Request] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.script and self.when(request):
            outcome = self.script.pop(0)
            if isinstance(outcome, LostAnswer):
                await (await self.inner.handle_async_request(request)).aclose()
                raise outcome.error
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        return await self.inner.handle_async_request(request)

    def sent_to(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.sent if r.method == method and r.url.path == path]


def unavailable(retry_after: str | None = None) -> httpx.Response:
    """A 503 as the services answer it when their database is down."""
    body = {
        "type": "https://clinic.example/problems/service-unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The database is unavailable.",
        "instance": "/",
    }
    headers = {"Content-Type": "application/problem+json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return httpx.Response(503, headers=headers, content=json.dumps(body))


class ThreadBridge(httpx.BaseTransport):
    """A blocking transport for the blocking client, run in a worker thread: each request
    is handed to an async transport on the test's event loop (where the apps and the test's
    database connection live) and waited for."""

    def __init__(self, inner: httpx.AsyncBaseTransport, loop: asyncio.AbstractEventLoop) -> None:
        self._inner, self._loop = inner, loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        copy = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.read()
        )
        future = asyncio.run_coroutine_threadsafe(self._handle(copy), self._loop)
        return future.result(timeout=60)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if response.is_stream_consumed:  # a scripted answer, built whole
            raw = response.content
        else:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
            await response.aclose()
        return httpx.Response(response.status_code, headers=response.headers, content=raw)
