"""The OpenAPI document says exactly what a service answers, so a generated client works.

FastAPI documents each route's success answer and a 422 in a shape of its own. This pass,
run once when the document is first asked for, settles the rest the same way for every
service, so that a route declares only the refusals of its own rules (403, 404, 409, ...):

- every error answer (4xx, 5xx) is `application/problem+json` with the one `Problem` schema;
- the statuses the platform answers are listed where they can happen: 401 where a token is
  taken, 403 where a role check refuses some callers (a service token on a user's route, a
  user token on a service's), what the account check can answer where a token is taken (502
  and 503 in plans and scheduling, which ask the patients service), 422 where there is input,
  400 and 413 where there is a body, 503 where the database is used; and nowhere else (a
  health probe lists no 422);
- If-Match is a required header where the route requires it (FastAPI must see it as
  optional, so that a missing one answers 428 rather than a 422);
- every docs page signs in at the patients service, or takes a pasted bearer token.
"""

from collections.abc import Callable, Collection, Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from services.common.auth import ROLES, RoleCheck, current_caller
from services.common.database import open_session
from services.common.errors import PROBLEM, PROBLEM_SCHEMA, ProblemDetails, describe
from services.common.preconditions import require_if_match

BEARER_SCHEME = "BearerToken"
_FASTAPI_DESCRIPTIONS = {"Validation Error", "Additional Response"}
_ANSWER_HEADERS = {
    401: {"WWW-Authenticate": "`Bearer`: how to authenticate."},
    429: {"Retry-After": "Seconds to wait before trying again."},
    503: {"Retry-After": "Seconds to wait before trying again."},
}

Document = dict[str, Any]
Operation = dict[str, Any]


def install_openapi(
    app: FastAPI, *, token_url: str, account_check_answers: Collection[int] = ()
) -> None:
    """Serve the document as FastAPI builds it, settled by `settle_document`.
    `account_check_answers`: the errors checking the account behind a user's token can answer
    besides 401 (account_check.py), on every route that takes a token."""

    def openapi() -> Document:
        if app.openapi_schema is None:
            document = FastAPI.openapi(app)
            app.openapi_schema = None  # cached only once settled
            app.openapi_schema = settle_document(
                document, app, token_url=token_url, account_check_answers=account_check_answers
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def settle_document(
    document: Document,
    app: FastAPI,
    *,
    token_url: str,
    account_check_answers: Collection[int] = (),
) -> Document:
    _add_problem_schemas(document)
    for operation, route_calls in _operations(document, app):
        _list_platform_answers(operation, route_calls)
        if current_caller in route_calls:  # any user's token is checked, even where refused
            _list(operation, account_check_answers)
        _require_if_match(operation, route_calls)
        _describe_errors(operation)
    _sign_in_at(document, token_url)
    return document


def _add_problem_schemas(document: Document) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    problem = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas[PROBLEM_SCHEMA] = problem


def _operations(document: Document, app: FastAPI) -> Iterator[tuple[Operation, set[Callable]]]:
    """Each documented operation with every dependency its route calls."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        calls = set(_calls(context.dependant))
        for method in context.methods or ():
            yield document["paths"][context.path_format][method.lower()], calls


def _calls(dependant: Dependant) -> Iterator[Callable]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _list_platform_answers(operation: Operation, calls: set[Callable]) -> None:
    """Add what the platform answers on this route (FastAPI lists 422 only where there is
    input, once the app itself lists none for every route)."""
    wanted = {
        401: bool(operation.get("security")),
        403: any(_refuses_some_role(call) for call in calls),
        422: bool(operation.get("parameters") or operation.get("requestBody")),
        400: "requestBody" in operation,
        413: "requestBody" in operation,
        503: open_session in calls,
    }
    _list(operation, [status for status, applies in wanted.items() if applies])


def _refuses_some_role(call: Callable) -> bool:
    return isinstance(call, RoleCheck) and not set(ROLES) <= set(call.roles)


def _list(operation: Operation, statuses: Collection[int]) -> None:
    responses = operation["responses"]
    for status in statuses:
        responses.setdefault(str(status), {})
    operation["responses"] = dict(sorted(responses.items()))


def _describe_errors(operation: Operation) -> None:
    for status, response in operation["responses"].items():
        if int(status) < 400:
            continue
        generic = _FASTAPI_DESCRIPTIONS | {"", HTTPStatus(int(status)).phrase}
        if response.get("description", "") in generic:
            response["description"] = describe(int(status))
        response["content"] = PROBLEM["content"]
        for name, description in _ANSWER_HEADERS.get(int(status), {}).items():
            headers = response.setdefault("headers", {})
            headers.setdefault(name, {"description": description, "schema": {"type": "string"}})


def _require_if_match(operation: Operation, calls: set[Callable]) -> None:
    if require_if_match not in calls:
        return
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
            parameter["required"] = True
            text = [s for s in parameter["schema"].get("anyOf", []) if s.get("type") == "string"]
            if text:  # `str | None` at run time; a string always, in the contract
                parameter["schema"] = text[0]


def _sign_in_at(document: Document, token_url: str) -> None:
    """OAuth2 password sign-in at the patients service from every docs page (a relative
    tokenUrl would point plans' page at plans), and a bearer field for a pasted token where
    the browser may not post to another origin."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    oauth2 = [name for name, scheme in schemes.items() if scheme.get("type") == "oauth2"]
    for name in oauth2:
        for flow in schemes[name].get("flows", {}).values():
            if "tokenUrl" in flow:
                flow["tokenUrl"] = token_url
    if not oauth2:
        return
    schemes[BEARER_SCHEME] = {"type": "http", "scheme": "bearer"}
    for item in document["paths"].values():
        for operation in item.values():
            security = operation.get("security", [])
            if any(set(requirement) & set(oauth2) for requirement in security):
                security.append({BEARER_SCHEME: []})
