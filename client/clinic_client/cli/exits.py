"""What the `clinic` command's exit status says went wrong, and the message that goes with it.

| status | meaning |
| --- | --- |
| 0 | done |
| 1 | anything else: a service failed (5xx) or answered what the command cannot read |
| 2 | usage: a missing or malformed option, a name that matches several records |
| 3 | not signed in, a wrong email or password, or the session expired |
| 4 | not found, or not allowed to your role |
| 5 | invalid input: the message names each field and why |
| 6 | conflict: taken, already done, or changed since it was read |
| 7 | a service cannot be reached, or is unavailable for now |

A script reads the status; a person reads the message (stderr). With `--json` the message
is one JSON object on stderr instead: `{"error": {"exit_status", "kind", "message", ...}}`,
with the problem's `status`, `type` and `detail`, its extension members (a refused series'
`failures`, a clash's `clashes_with`) and, for invalid input, `fields`
(`[{"field", "reason"}]`).
"""

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from pydantic import ValidationError

from clinic_client.errors import (
    BadRequest,
    ClinicError,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ProblemError,
    ServiceUnavailable,
    ServiceUnreachable,
    SessionExpired,
    Unauthorized,
    ValidationFailed,
)


class ExitStatus(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    SIGNED_OUT = 3
    NOT_FOUND = 4
    INVALID = 5
    CONFLICT = 6
    UNREACHABLE = 7


class CommandFailed(Exception):
    """A failure the command finds itself (not signed in, no plan to read): one message and
    the exit status that says what kind of failure it is."""

    def __init__(self, message: str, status: ExitStatus) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Failure:
    """What to tell the person (or the script) about a failed command."""

    status: ExitStatus
    message: str
    problem: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        kind = self.status.name.lower().replace("_", "-")
        return {
            "error": {"exit_status": int(self.status), "kind": kind, "message": self.message}
            | self.problem
        }


# The most specific first: SessionExpired is an Unauthorized, and so on.
_STATUS_OF: tuple[tuple[type[ProblemError], ExitStatus], ...] = (
    (Unauthorized, ExitStatus.SIGNED_OUT),
    (NotFound, ExitStatus.NOT_FOUND),
    (Forbidden, ExitStatus.NOT_FOUND),
    (ValidationFailed, ExitStatus.INVALID),
    (BadRequest, ExitStatus.INVALID),
    (Conflict, ExitStatus.CONFLICT),
    (PreconditionFailed, ExitStatus.CONFLICT),
    (PreconditionRequired, ExitStatus.CONFLICT),
    (ServiceUnavailable, ExitStatus.UNREACHABLE),
)


def failure_of(error: Exception, *, sign_in_again: str) -> Failure | None:
    """The failure to report for `error`; None for an error that is a bug (shown as such).
    `sign_in_again`: the command that signs this profile in again."""
    if isinstance(error, CommandFailed):
        return Failure(error.status, error.message)
    if isinstance(error, SessionExpired):
        message = f"Your session has expired: sign in again with `{sign_in_again}`."
        return Failure(ExitStatus.SIGNED_OUT, message, _problem_members(error))
    if isinstance(error, ServiceUnreachable):
        return Failure(ExitStatus.UNREACHABLE, _unreachable(error), {"service": error.service})
    if isinstance(error, ProblemError):
        return _problem_failure(error, sign_in_again)
    if isinstance(error, ValidationError):  # refused before it was sent: a date that is none
        return _input_failure(error)
    if isinstance(error, ClinicError):
        return Failure(ExitStatus.FAILED, str(error))
    return None


def _problem_failure(error: ProblemError, sign_in_again: str) -> Failure:
    status = next((code for kind, code in _STATUS_OF if isinstance(error, kind)), None)
    status = status or ExitStatus.FAILED
    return Failure(status, _problem_message(error, status, sign_in_again), _problem_members(error))


def _problem_message(error: ProblemError, status: ExitStatus, sign_in_again: str) -> str:
    if status is ExitStatus.INVALID and error.errors:
        return _invalid([(each.field, each.msg) for each in error.errors])
    said = error.detail or error.title or f"HTTP {error.status}"
    if status is ExitStatus.SIGNED_OUT:
        return f"{said}\nSign in with `{sign_in_again}`."
    if isinstance(error, ServiceUnavailable):
        wait = f" Try again in {error.retry_after:.0f} s." if error.retry_after else ""
        return f"The service is unavailable for now: {said}{wait}"
    return said


def _problem_members(error: ProblemError) -> dict[str, Any]:
    standard = {"status": error.status, "type": error.type, "detail": error.detail}
    members: dict[str, Any] = error.extensions | standard
    if error.errors:
        members["fields"] = [{"field": each.field, "reason": each.msg} for each in error.errors]
    return members


def _input_failure(error: ValidationError) -> Failure:
    fields = [(".".join(str(part) for part in each["loc"]), each["msg"]) for each in error.errors()]
    listed = [{"field": field, "reason": reason} for field, reason in fields]
    return Failure(ExitStatus.INVALID, _invalid(fields), {"fields": listed})


def _invalid(fields: list[tuple[str, str]]) -> str:
    return "\n".join(["Invalid input:", *(f"  {field}: {reason}" for field, reason in fields)])


def _unreachable(error: ServiceUnreachable) -> str:
    return (
        f"Cannot reach the {error.service} service at {error.url} ({error.reason}).\n"
        "Is it running? `make run` starts the services; `clinic login` says where they are."
    )
