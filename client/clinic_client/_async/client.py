"""`AsyncClinic`: the asynchronous client of the three services."""

from collections.abc import Callable
from datetime import datetime
from types import TracebackType

import httpx

from clinic_client._async.audit import AsyncAudit
from clinic_client._async.engine import AsyncEngine, SessionListener
from clinic_client._async.me import AsyncMe
from clinic_client._async.patients import AsyncPatients, AsyncUsers
from clinic_client._async.plans import (
    AsyncExercises,
    AsyncHomeSessions,
    AsyncPlans,
    AsyncProgressReports,
    AsyncProtocols,
)
from clinic_client._async.scheduling import (
    AsyncAppointments,
    AsyncAppointmentTypes,
    AsyncAvailability,
    AsyncHolds,
    AsyncLocations,
    AsyncTherapists,
    AsyncWaitlist,
)
from clinic_client._async.services import AsyncServices
from clinic_client.layout import ServiceURLs, service_urls
from clinic_client.retries import RetryListener, RetryPolicy
from clinic_client.session import Session

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class AsyncClinic:
    """The clinic's API, asynchronous: `async with AsyncClinic(url) as clinic: ...`.

    `url`: one URL behind the reverse proxy (docker-compose), or `ServiceURLs` naming each
    service's; None: the local services of `make run` (ports 8001-8003).
    `session`: a session kept from an earlier sign-in; `on_session` hears of every new one
    (renewed tokens; None once it ended), to keep it. `on_retry` hears of each retry.
    `transport` and `clock` are for tests.
    """

    def __init__(
        self,
        url: str | ServiceURLs | None = None,
        *,
        session: Session | None = None,
        on_session: SessionListener | None = None,
        retry: RetryPolicy | None = None,
        on_retry: RetryListener | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        http = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False)
        options = {"clock": clock} if clock is not None else {}
        self._engine = engine = AsyncEngine(
            service_urls(url),
            http=http,
            retry=retry or RetryPolicy(),
            session=session,
            on_session=on_session,
            on_retry=on_retry,
            **options,
        )
        self.users = AsyncUsers(engine)
        self.patients = AsyncPatients(engine)
        self.exercises = AsyncExercises(engine)
        self.protocols = AsyncProtocols(engine)
        self.plans = AsyncPlans(engine)
        self.home_sessions = AsyncHomeSessions(engine)
        self.progress_reports = AsyncProgressReports(engine)
        self.locations = AsyncLocations(engine)
        self.appointment_types = AsyncAppointmentTypes(engine)
        self.therapists = AsyncTherapists(engine)
        self.availability = AsyncAvailability(engine)
        self.appointments = AsyncAppointments(engine)
        self.holds = AsyncHolds(engine)
        self.waitlist = AsyncWaitlist(engine)
        self.me = AsyncMe(engine)
        self.audit = AsyncAudit(engine)
        self.services = AsyncServices(engine)

    @property
    def urls(self) -> ServiceURLs:
        return self._engine.urls

    @property
    def session(self) -> Session | None:
        """The current session (tokens hidden from repr), None when signed out."""
        return self._engine.session

    async def sign_in(
        self, email: str, password: str, *, remember_password: bool = False
    ) -> Session:
        """Sign in with the password grant. The password is forgotten at once unless
        `remember_password`: then a session whose refresh token ran out signs in again."""
        return await self._engine.sign_in(email, password, remember_password=remember_password)

    def sign_out(self) -> None:
        """Forget the session (and a remembered password)."""
        self._engine.sign_out()

    async def aclose(self) -> None:
        await self._engine.aclose()

    async def __aenter__(self) -> "AsyncClinic":
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        session = self._engine.session
        who = session.username if session is not None else None
        return f"{type(self).__name__}(urls={self.urls!r}, signed_in_as={who!r})"
