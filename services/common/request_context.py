"""The request id of the request being served, for logs and for calls to other services."""

import re
import uuid
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str | None:
    return _request_id.get()


def adopt_request_id(incoming: str | None) -> tuple[str, Token[str | None]]:
    """Keep a caller's id when it is sane (so a trace spans services); otherwise make one.
    Returns the id and the token that restores the previous one when the request ends."""
    request_id = incoming if incoming and _ACCEPTABLE.match(incoming) else uuid.uuid4().hex
    return request_id, _request_id.set(request_id)


def release_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)
