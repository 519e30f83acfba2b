"""What the client raises: one hierarchy under `ClinicError`.

Every error answer of the services is RFC 9457 problem details; it is raised as the
`ProblemError` subclass of its status (`NotFound`, `Conflict`, `ValidationFailed`, ...),
carrying the problem's members: `status`, `type`, `title`, `detail`, `instance`, the rejected
fields (`errors`, on a 422) and any extension member (`extensions`). Branch on the class, or
on `type` (a stable URI) where one status has several meanings.

Two failures have no answer behind them: `ServiceUnreachable` (no connection, after the
retries) and `SessionExpired` (the tokens ran out and cannot be renewed: sign in again).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

_MEMBERS = ("type", "title", "status", "detail", "instance", "errors")


class FieldError(BaseModel):
    """One rejected input: where (`loc`), why (`msg`, for a person) and what kind (`type`)."""

    model_config = ConfigDict(frozen=True)

    loc: tuple[str | int, ...]
    msg: str
    type: str

    @property
    def field(self) -> str:
        """The field's dotted path without its part of the request: `diagnoses.0.code`."""
        parts = self.loc[1:] if self.loc and self.loc[0] in _REQUEST_PARTS else self.loc
        return ".".join(str(part) for part in parts) or "request"


_REQUEST_PARTS = ("body", "query", "path", "header")


class ClinicError(Exception):
    """Anything the client raises on purpose."""


class ServiceUnreachable(ClinicError):
    """No answer from a service: it refused the connection, timed out or broke it off,
    on every try."""

    def __init__(self, service: str, url: str, reason: str) -> None:
        super().__init__(f"The {service} service at {url} cannot be reached: {reason}.")
        self.service, self.url, self.reason = service, url, reason


class UnexpectedAnswer(ClinicError):
    """An answer the client cannot read: not JSON, or not the shape the API documents."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class ProblemError(ClinicError):
    """An error answer (problem details). `retry_after`: seconds, when the answer said."""

    def __init__(
        self,
        *,
        status: int,
        type: str = "about:blank",
        title: str = "",
        detail: str = "",
        instance: str = "",
        errors: tuple[FieldError, ...] = (),
        extensions: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status, self.type, self.title, self.detail = status, type, title, detail
        self.instance, self.errors = instance, errors
        self.extensions = dict(extensions or {})
        self.retry_after = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{self.status} {self.title}".strip()
        lines = [f"{head}: {self.detail}" if self.detail else head]
        lines += [f"  {error.field}: {error.msg}" for error in self.errors]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, type={self.type!r})"


class BadRequest(ProblemError):
    """400: the body could not be read at all."""


class Unauthorized(ProblemError):
    """401: not signed in, or wrong credentials."""


class SessionExpired(Unauthorized):
    """The session's tokens ran out and cannot be renewed: sign in again."""


class Forbidden(ProblemError):
    """403: signed in, but this role may not do this."""


class NotFound(ProblemError):
    """404: no such record, or none the caller may see."""


class Conflict(ProblemError):
    """409: the record's state does not allow this (taken, archived, already done)."""


class PreconditionFailed(ProblemError):
    """412: the record changed since it was read (its version no longer matches)."""


class PreconditionRequired(ProblemError):
    """428: the change needs the version read last (`if_match`)."""


class ValidationFailed(ProblemError):
    """422: invalid input; `errors` names each rejected field."""


class TooManyRequests(ProblemError):
    """429: too many attempts (sign-in throttling); wait `retry_after` seconds."""


class BadGateway(ProblemError):
    """502: a service got an answer it could not use from another one."""


class ServiceUnavailable(ProblemError):
    """503: the database or another service is down, after the retries the client made."""


_BY_STATUS: dict[int, type[ProblemError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    422: ValidationFailed,
    428: PreconditionRequired,
    429: TooManyRequests,
    502: BadGateway,
    503: ServiceUnavailable,
}


def problem_of(response: httpx.Response) -> ProblemError:
    """The exception for an error answer: its problem details where it has them, else what
    the status alone says (a proxy's own page, say)."""
    body = _json_object(response)
    kind = _BY_STATUS.get(response.status_code, ProblemError)
    return kind(
        status=response.status_code,
        type=str(body.get("type", "about:blank")),
        title=str(body.get("title", response.reason_phrase)),
        detail=str(body.get("detail", "")),
        instance=str(body.get("instance", response.request.url.path)),
        errors=_field_errors(body.get("errors")),
        extensions={k: v for k, v in body.items() if k not in _MEMBERS},
        retry_after=retry_after(response),
    )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _field_errors(raw: object) -> tuple[FieldError, ...]:
    """The rejected fields; an entry not shaped as documented is left out, not raised."""
    entries = raw if isinstance(raw, list) else []
    return tuple(
        FieldError(loc=tuple(entry["loc"]), msg=str(entry["msg"]), type=str(entry["type"]))
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("loc"), list)
        and {"msg", "type"} <= entry.keys()
    )


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP date; None when absent."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
