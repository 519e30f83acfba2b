# Generated from _async/client.py by `make client-code` (ops/client_code.py): do not edit.
"""`Clinic`: the blocking client of the three services."""

from collections.abc import Callable
from datetime import datetime
from types import TracebackType

import httpx

from clinic_client._sync.audit import Audit
from clinic_client._sync.engine import Engine, SessionListener
from clinic_client._sync.me import Me
from clinic_client._sync.patients import Patients, Users
from clinic_client._sync.plans import (
    Exercises,
    HomeSessions,
    Plans,
    ProgressReports,
    Protocols,
)
from clinic_client._sync.scheduling import (
    Appointments,
    AppointmentTypes,
    Availability,
    Holds,
    Locations,
    Therapists,
    Waitlist,
)
from clinic_client._sync.services import Services
from clinic_client.layout import ServiceURLs, service_urls
from clinic_client.retries import RetryListener, RetryPolicy
from clinic_client.session import Session

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class Clinic:
    """The clinic's API, blocking: `with Clinic(url) as clinic: ...`.

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
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)
        options = {"clock": clock} if clock is not None else {}
        self._engine = engine = Engine(
            service_urls(url),
            http=http,
            retry=retry or RetryPolicy(),
            session=session,
            on_session=on_session,
            on_retry=on_retry,
            **options,
        )
        self.users = Users(engine)
        self.patients = Patients(engine)
        self.exercises = Exercises(engine)
        self.protocols = Protocols(engine)
        self.plans = Plans(engine)
        self.home_sessions = HomeSessions(engine)
        self.progress_reports = ProgressReports(engine)
        self.locations = Locations(engine)
        self.appointment_types = AppointmentTypes(engine)
        self.therapists = Therapists(engine)
        self.availability = Availability(engine)
        self.appointments = Appointments(engine)
        self.holds = Holds(engine)
        self.waitlist = Waitlist(engine)
        self.me = Me(engine)
        self.audit = Audit(engine)
        self.services = Services(engine)

    @property
    def urls(self) -> ServiceURLs:
        return self._engine.urls

    @property
    def session(self) -> Session | None:
        """The current session (tokens hidden from repr), None when signed out."""
        return self._engine.session

    def sign_in(self, email: str, password: str, *, remember_password: bool = False) -> Session:
        """Sign in with the password grant. The password is forgotten at once unless
        `remember_password`: then a session whose refresh token ran out signs in again."""
        return self._engine.sign_in(email, password, remember_password=remember_password)

    def sign_out(self) -> None:
        """Forget the session (and a remembered password)."""
        self._engine.sign_out()

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> "Clinic":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        session = self._engine.session
        who = session.username if session is not None else None
        return f"{type(self).__name__}(urls={self.urls!r}, signed_in_as={who!r})"
