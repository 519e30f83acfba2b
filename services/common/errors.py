"""One error hierarchy, answered as RFC 9457 problem details by one set of handlers.

Service code raises a `Problem` subclass; routes never build error responses themselves.
Every `type` is a stable URI under PROBLEM_BASE so clients can branch on it. `ProblemDetails`
is the one schema the OpenAPI documents give every error answer; routes list the statuses
they can answer with `problem_responses(...)` (services/common/openapi.py adds the rest).
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import MISSING, BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import get_route_path

PROBLEM_BASE = "https://clinic.example/problems/"
PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA = "Problem"  # its name among the document's components
PROBLEM: dict[str, Any] = {
    "content": {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA}"}}}
}

log = logging.getLogger("clinic.errors")


class FieldError(BaseModel):
    """One rejected input, shaped like pydantic's own entries."""

    loc: list[str | int] = Field(description='Where: `["body", "phone"]`, `["query", "limit"]`.')
    msg: str = Field(description="Why, for a person to read.")
    type: str = Field(description="What kind, for a program: `missing`, `value_error`, ...")


class ProblemDetails(BaseModel):
    """An error answer (RFC 9457), the same shape on every route of every service."""

    model_config = ConfigDict(extra="allow", title=PROBLEM_SCHEMA)

    type: str = Field(
        description=f"A stable URI under {PROBLEM_BASE} naming the kind of problem: branch on it.",
        json_schema_extra={"format": "uri"},
    )
    title: str = Field(description="A short summary of that kind of problem.")
    status: int = Field(description="The HTTP status, repeated.")
    detail: str = Field(description="What went wrong with this request, for a person to read.")
    instance: str = Field(description="The path of the request.")
    errors: list[FieldError] | MISSING = Field(
        MISSING, description="With 422: every rejected field, where pydantic or a rule found one."
    )


_ANSWERS = {
    400: "The body cannot be read: not UTF-8, or not the form or JSON it claims to be.",
    401: "No valid bearer token (or, signing in, wrong credentials).",
    403: "Signed in, but this role may not do this.",
    404: "No such record, or not one the caller may see.",
    406: "None of the media types in Accept is one this route answers with.",
    409: "The record's state does not allow this (archived, already done, taken).",
    412: "If-Match does not match the record's current ETag: read it again.",
    413: "The request body is larger than the limit.",
    422: "Invalid input: `errors` names each rejected field.",
    428: "If-Match is missing: send the ETag from your last read of the record.",
    429: "Too many attempts: wait for Retry-After seconds.",
    502: "Another service answered with something this one cannot use.",
    503: "The database or another service is unavailable: retry after Retry-After seconds.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status answered as problem+json, with what it means."""
    return {status: {"description": describe(status), **PROBLEM} for status in statuses}


def describe(status: int) -> str:
    return _ANSWERS.get(status) or HTTPStatus(status).phrase


class Problem(Exception):
    """An expected failure with a stable problem type and an HTTP status."""

    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self, detail: str, *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions
        # Rows to write even though the request fails (an audit row of a refused access):
        # the request's unit of work rolls back its changes, then commits these alone.
        self.records_to_keep: list[Any] = []

    def keeping(self, *records: Any) -> "Problem":
        self.records_to_keep.extend(records)
        return self

    def body(self, instance: str) -> dict[str, Any]:
        return problem_body(
            self.status, self.type_slug, self.title, self.detail, instance, **self.extensions
        )


class Unauthorized(Problem):
    status, type_slug, title = 401, "unauthorized", "Not signed in"

    def __init__(self, detail: str = "A valid bearer token is required.", **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class Forbidden(Problem):
    status, type_slug, title = 403, "forbidden", "Not allowed"


class NotFound(Problem):
    status, type_slug, title = 404, "not-found", "Not found"


class NotAcceptable(Problem):
    status, type_slug, title = 406, "not-acceptable", "Not acceptable"


class Conflict(Problem):
    status, type_slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(Problem):
    status, type_slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(Problem):
    status, type_slug, title = 428, "precondition-required", "Precondition required"


class InvalidInput(Problem):
    """Input that passes the schema but breaks a rule (a date in the future, an unknown slug)."""

    status, type_slug, title = 422, "validation-error", "Invalid input"

    def __init__(
        self, detail: str, *, field: str | None = None, kind: str = "value_error", **kw: Any
    ) -> None:
        # `kind` is the entry's `type`, in pydantic's words (`value_error`, `missing`).
        if field is not None:
            kw.setdefault("errors", [{"loc": field.split("."), "msg": detail, "type": kind}])
        super().__init__(detail, **kw)


class TooManyRequests(Problem):
    status, type_slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **kw: Any) -> None:
        kw.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(detail, **kw)


class DependencyUnavailable(Problem):
    """Another service (or the database) cannot be reached right now; worth retrying."""

    status, type_slug, title = 503, "service-unavailable", "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 5, **kw: Any) -> None:
        kw.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(detail, **kw)


class BadGateway(Problem):
    """Another service answered with something we cannot use."""

    status, type_slug, title = 502, "bad-gateway", "Bad answer from another service"


def problem_body(
    status: int, type_slug: str, title: str, detail: str, instance: str, **extensions: Any
) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extensions,
    }


def problem_response(
    request: Request, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], headers=headers, media_type=PROBLEM_JSON)


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Not signed in"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(request, exc.body(request.url.path), exc.headers)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}."
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    body = problem_body(exc.status_code, slug, title, detail, request.url.path)
    return problem_response(request, body, getattr(exc, "headers", None))


async def _on_method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 naming every method the path has, from the app's routes: Starlette's own Allow
    names only those of the first route it found for the path."""
    path = get_route_path(request.scope)
    allowed = {
        method
        for route in iter_route_contexts(request.app.routes)
        if (pattern := getattr(route, "path_regex", None)) is not None and pattern.match(path)
        for method in route.methods or ()
    }
    response = await _on_http_exception(request, exc)
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


async def _on_unreadable_body(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI answers a body it cannot decode with a bare 400; a JSON body that is not
    UTF-8 is invalid input like any other (422, documented on every route)."""
    if not isinstance(exc.__cause__, UnicodeDecodeError):
        return await _on_http_exception(request, exc)
    msg = "The body is not UTF-8; JSON bodies must be encoded in UTF-8 (RFC 8259)."
    body = problem_body(422, "validation-error", "Invalid input", f"body: {msg}", request.url.path)
    body["errors"] = [{"loc": ["body"], "msg": msg, "type": "body_not_utf8"}]
    return problem_response(request, body)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_public_error(e) for e in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"]) or "request"
    detail = f"{where}: {first['msg']}" + (
        f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    )
    body = problem_body(422, "validation-error", "Invalid input", detail, request.url.path)
    body["errors"] = errors
    return problem_response(request, body)


def _public_error(error: Any) -> dict[str, Any]:
    """Keep location, message and kind; drop the echoed input (it may hold PHI or a password)."""
    return {
        "loc": list(error.get("loc", ())),
        "msg": str(error.get("msg", "")),
        "type": str(error.get("type") or "value_error"),
    }


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # A 500 is a bug: log it with the traceback, answer without one.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    body = problem_body(
        500,
        "internal-error",
        "Internal error",
        "Something went wrong on our side; it has been logged.",
        request.url.path,
    )
    return problem_response(request, body)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(405, _on_method_not_allowed)
    app.add_exception_handler(400, _on_unreadable_body)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
