"""Routes the services' calls to each other to the in-process apps, by host name."""

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager

import httpx


class ServiceRouter(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._apps: dict[str, object] = {}
        self._transports: dict[str, httpx.ASGITransport] = {}
        self.calls: list[httpx.Request] = []

    def mount(self, host: str, app: object) -> None:
        self._apps[host] = app
        self._transports[host] = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        transport = self._transports.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError(f"no service at {request.url.host}", request=request)
        return await transport.handle_async_request(request)

    @contextmanager
    def replaced(self, host: str, transport: httpx.AsyncBaseTransport) -> Iterator[None]:
        """Answer calls to host with another transport (a fake, a failure) for a while."""
        real = self._transports[host]
        self._transports[host] = transport  # type: ignore[assignment]
        try:
            yield
        finally:
            self._transports[host] = real

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run every app's lifespan (ASGITransport does not)."""
        async with AsyncExitStack() as stack:
            for app in self._apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))  # type: ignore[attr-defined]
            yield
