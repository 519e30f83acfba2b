# Generated from _async/engine.py by `make client-code` (ops/client_code.py): do not edit.
"""Sends the calls of the blocking client: tokens on, retries, errors raised as problems.

One `httpx.Client` per client. Before each call the access token is renewed when it is
about to run out (one renewal at a time, under a lock: a refresh token works once, and the
service ends the whole session when one is presented twice). A call refused with 401 renews
once and is sent again: the token may have been refused early (a clock ahead of ours, a new
signing key).
"""

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from clinic_client.errors import (
    ProblemError,
    ServiceUnreachable,
    SessionExpired,
    Unauthorized,
    problem_of,
    retry_after,
)
from clinic_client.layout import Service, ServiceURLs
from clinic_client.operations import Call
from clinic_client.retries import (
    RETRIED_STATUS,
    Retry,
    RetryListener,
    RetryPolicy,
    replayable,
)
from clinic_client.session import Session

TOKEN_PATH = "/v1/auth/token"  # noqa: S105 (a path, not a secret)
SessionListener = Callable[[Session | None], None]
# Never reached the service: safe to send again, whatever the request.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _now() -> datetime:
    return datetime.now(UTC)


class Engine:
    def __init__(
        self,
        urls: ServiceURLs,
        *,
        http: httpx.Client,
        retry: RetryPolicy,
        session: Session | None = None,
        on_session: SessionListener | None = None,
        on_retry: RetryListener | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.urls, self._http, self._retry = urls, http, retry
        self._session, self._on_session, self._on_retry = session, on_session, on_retry
        self._clock = clock
        self._password: SecretStr | None = None
        self._lock = threading.Lock()

    @property
    def session(self) -> Session | None:
        return self._session

    def close(self) -> None:
        self._http.close()

    # -- signing in ---------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, *, remember_password: bool) -> Session:
        form = {"grant_type": "password", "username": email, "password": password}
        session = self._grant(form, username=email, replayable=True)
        self._password = SecretStr(password) if remember_password else None
        self._keep(session)
        return session

    def sign_out(self) -> None:
        self._password = None
        self._keep(None)

    def _grant(self, form: dict[str, str], *, username: str | None, replayable: bool) -> Session:
        url = self.urls.url("patients", TOKEN_PATH)
        request = self._http.build_request("POST", url, data=form)
        response = self._exchange(request, "patients", replayable=replayable)
        if response.is_error:
            raise problem_of(response)
        return Session.from_answer(response.json(), now=self._clock(), username=username)

    def _keep(self, session: Session | None) -> None:
        self._session = session
        if self._on_session is not None:
            self._on_session(session)

    # -- keeping the session alive ----------------------------------------------------------

    def _bearer(self) -> SecretStr | None:
        session = self._session
        if session is not None and session.due(self._clock()):
            self._renew(refused=None)
            session = self._session
        return session.access_token if session is not None else None

    def _renew(self, *, refused: SecretStr | None) -> None:
        """New tokens: by the refresh token, else by the kept password. `refused`: the
        access token a service just refused (None: renewing ahead of time)."""
        with self._lock:
            session = self._session
            if session is None or not self._still_needed(session, refused):
                return  # another call renewed it while this one waited
            renewed = self._renewed(session)
            if renewed is not None:
                self._keep(renewed)
            elif refused is None and session.valid(self._clock()):
                # Cannot renew, but the token works a little longer: use it, and stop
                # presenting a refresh token the service refused.
                if session.refresh_token is not None:
                    self._keep(session.model_copy(update={"refresh_token": None}))
            else:
                self._keep(None)
                raise _expired()

    def _renewed(self, session: Session) -> Session | None:
        if session.renewable(self._clock()):
            renewed = self._refreshed(session)
            if renewed is not None:
                return renewed
        if self._password is None:
            return None
        try:
            return self._signed_in_again(session.username or "", self._password)
        except Unauthorized:  # the password was changed since: only the person can help
            self._password = None
            return None

    def _signed_in_again(self, email: str, password: SecretStr) -> Session:
        form = {
            "grant_type": "password",
            "username": email,
            "password": password.get_secret_value(),
        }
        return self._grant(form, username=email, replayable=True)

    def _still_needed(self, session: Session, refused: SecretStr | None) -> bool:
        if refused is not None:
            return session.access_token == refused
        return session.due(self._clock())

    def _refreshed(self, session: Session) -> Session | None:
        """New tokens for the refresh token, or None when the service refuses it (used,
        revoked, run out). Sent again only if it surely never arrived: a refresh token
        presented twice ends the session."""
        assert session.refresh_token is not None
        token = session.refresh_token.get_secret_value()
        form = {"grant_type": "refresh_token", "refresh_token": token}
        try:
            return self._grant(form, username=session.username, replayable=False)
        except ProblemError as refusal:
            if refusal.status in (400, 401, 422):
                return None
            raise

    # -- sending ------------------------------------------------------------------------------

    def call(self, call: Call) -> Any:
        return call.operation.read(self._send(call))

    def pages(self, call: Call) -> Iterator[Any]:
        """Every item of every page (or every page whole, when the method yields pages),
        fetching the next page when the last is used up."""
        cursor: str | None = None
        whole = call.operation.whole_pages
        while True:
            page = call.operation.read_page(self._send(call.at(cursor)))
            for each in [page] if whole else page.items:
                yield each
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def _send(self, call: Call) -> httpx.Response:
        token = self._bearer()
        response = self._exchange(self._request(call, token), call.operation.service)
        if response.status_code == 401 and token is not None:
            self._renew(refused=token)
            token = self._bearer()
            response = self._exchange(self._request(call, token), call.operation.service)
        if response.is_error:
            raise problem_of(response)
        return response

    def _request(self, call: Call, token: SecretStr | None) -> httpx.Request:
        operation = call.operation
        url = self.urls.url(operation.service, call.path, own_page=operation.own_page)
        headers = dict(call.headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        return self._http.build_request(
            operation.method, url, params=call.params, json=call.json, headers=headers
        )

    def _exchange(
        self, request: httpx.Request, service: Service, *, replayable: bool | None = None
    ) -> httpx.Response:
        """The answer to `request`, tried again (retries.py) where that is safe."""
        if replayable is None:
            replayable = _replayable(request)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                safe = replayable or isinstance(exc, _UNSENT)
                wait = self._retry.wait(attempt, None) if safe else None
                if wait is None:
                    raise ServiceUnreachable(service, _origin(request), _reason(exc)) from exc
                self._pause(request, attempt, wait, _reason(exc))
                continue
            if response.status_code != RETRIED_STATUS or not replayable:
                return response
            wait = self._retry.wait(attempt, retry_after(response))
            if wait is None:
                return response
            response.close()
            self._pause(request, attempt, wait, f"answered {RETRIED_STATUS}")

    def _pause(self, request: httpx.Request, attempt: int, wait: float, reason: str) -> None:
        if self._on_retry is not None:
            url = str(request.url.copy_with(query=None))
            self._on_retry(Retry(request.method, url, attempt, wait, reason))
        time.sleep(wait)


class Area:
    """A group of methods of the client (`client.patients`), all sent by one engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine


def _replayable(request: httpx.Request) -> bool:
    return replayable(request.method, keyed="Idempotency-Key" in request.headers)


def _origin(request: httpx.Request) -> str:
    return str(request.url.copy_with(path="/", query=None, fragment=None)).rstrip("/")


def _reason(exc: httpx.TransportError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _expired() -> SessionExpired:
    return SessionExpired(
        status=401,
        title="Session expired",
        detail="The session ran out and cannot be renewed: sign in again.",
    )
