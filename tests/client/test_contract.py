"""The client and the services' OpenAPI documents agree, route by route; this fails the
moment one changes without the other.

- Every route of the three apps is a method of the client, or is in NOT_IN_CLIENT with why.
- Each method calls a route the document has, with its path, query and header parameters
  (the same names, types and required ones), the body it takes (the same fields, required
  alike) and the answer it gives (its fields, none required the document leaves optional).
- Behind the proxy each method's URL reaches its service as deploy/Caddyfile routes it.
- The generated code is what `make client-code` writes now: models from today's documents,
  the blocking client from today's async one.
"""

import re
import typing
from datetime import date, datetime
from functools import cache
from types import NoneType, UnionType
from typing import Any, Literal
from uuid import UUID

import pytest
from clinic_client.layout import ServiceURLs
from clinic_client.operations import OPERATIONS, Operation
from pydantic import BaseModel

from ops.client_code import service_apps, stale_files
from tests.app_routes import service_only_routes
from tests.test_compose import _route as caddy_route

Route = tuple[str, str, str]  # service, method, path

# Routes of the services the client has no method for, and why.
NOT_IN_CLIENT: dict[Route, str] = {
    ("patients", "POST", "/v1/auth/token"): "Clinic.sign_in and the token renewal send it",
    ("patients", "GET", "/v1/accounts/{user_id}/status"): "service-only: plans, scheduling",
    ("patients", "GET", "/v1/patients/{patient_id}/status"): "service-only: plans, scheduling",
    ("plans", "POST", "/v1/visit-outcomes"): "service-only: scheduling reports visits",
    ("patients", "POST", "/v1/patient-names"): "service-only: scheduling names day sheets",
}
# Where a client parameter's Python type and an OpenAPI schema meet.
_KINDS = {str: "string", int: "integer", bool: "boolean", float: "number"}
_FORMATS = {UUID: "uuid", date: "date", datetime: "date-time"}


@cache
def documents() -> dict[str, dict[str, Any]]:
    return {service: app.openapi() for service, app in service_apps().items()}


def client_operations() -> list[Operation]:
    return [op for op in OPERATIONS if op.name.startswith("Async")]


def documented(op: Operation) -> dict[str, Any]:
    item = documents()[op.service]["paths"].get(op.path, {})
    assert op.method.lower() in item, f"{op.name}: {op.method} {op.path} is not in {op.service}"
    return item[op.method.lower()]


def resolved(service: str, schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return documents()[service]["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def without_null(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema of an optional value without its `null`, and whether null was allowed."""
    options = schema.get("anyOf", [])
    if any(option.get("type") == "null" for option in options):
        kept = [option for option in options if option.get("type") != "null"]
        return (kept[0] if len(kept) == 1 else {"anyOf": kept}), True
    return schema, False


def parameters(operation: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    return {p["name"].lower(): p for p in operation.get("parameters", []) if p["in"] == where}


OPERATION_IDS = [op.name for op in client_operations()]


@pytest.fixture(params=client_operations(), ids=OPERATION_IDS)
def op(request: pytest.FixtureRequest) -> Operation:
    return request.param


# -- coverage ---------------------------------------------------------------------------------


def test_every_route_of_the_services_is_in_the_client_or_set_aside_with_a_reason():
    routes = {
        (service, method.upper(), path)
        for service, document in documents().items()
        for path, item in document["paths"].items()
        for method in item
    }
    covered = {(op.service, op.method, op.path) for op in client_operations()}
    assert sorted(routes - covered - set(NOT_IN_CLIENT)) == []
    assert sorted(set(NOT_IN_CLIENT) - routes) == [], "set aside, but no longer a route"
    assert sorted(set(NOT_IN_CLIENT) & covered) == [], "set aside, yet in the client"


def test_the_routes_set_aside_are_sign_in_and_the_service_only_ones():
    service_only = {
        (service, method, path)
        for service, app in service_apps().items()
        for method, path in service_only_routes(app)
    }
    assert set(NOT_IN_CLIENT) == service_only | {("patients", "POST", "/v1/auth/token")}


def test_each_route_has_one_method_and_the_blocking_client_the_same_ones():
    # A list may have a second method that yields its pages whole (what a page says of itself)
    routes = [(op.service, op.method, op.path, op.whole_pages) for op in client_operations()]
    assert len(routes) == len(set(routes))
    for service, method, path, whole in routes:
        assert not whole or (service, method, path, False) in routes, f"{path}: pages, no items"
    blocking = [op for op in OPERATIONS if not op.name.startswith("Async")]
    mirrored = {(op.name.removeprefix("Async"), op.service, op.method, op.path) for op in blocking}
    assert mirrored == {(o.name.removeprefix("Async"), o.service, o.method, o.path) for o in
                        client_operations()}  # fmt: skip


# -- requests ---------------------------------------------------------------------------------


def test_path_parameters_are_the_documents(op):
    documented_path = parameters(documented(op), "path")
    assert set(op.path_params) == set(documented_path)
    for name in op.path_params:
        assert_same_type(op, name, documented_path[name]["schema"])


def test_query_parameters_are_the_documents(op):
    query = parameters(documented(op), "query")
    if op.paginated:
        query.pop("cursor", None)  # the client walks the pages itself
    sent = {wire: name for name, wire in op.query}
    assert set(sent) == set(query), f"{op.name}: client {sorted(sent)}, document {sorted(query)}"
    for wire, spec in query.items():
        assert (sent[wire] in op.required) == spec.get("required", False), (op.name, wire)
        assert_same_type(op, sent[wire], without_null(spec["schema"])[0])


def test_if_match_and_idempotency_keys_are_sent_where_the_document_takes_them(op):
    headers = parameters(documented(op), "header")
    if_match = headers.get("if-match")
    assert ("if_match" in op.headers) == (if_match is not None), op.name
    if if_match is not None:
        assert ("if_match" in op.required) == if_match.get("required", False), op.name
    assert ("idempotency_key" in op.headers) == ("idempotency-key" in headers), op.name
    assert "idempotency_key" not in op.required, op.name  # the client makes one


def test_the_body_is_the_documents(op):
    body = documented(op).get("requestBody")
    if body is None:
        assert op.body is None, f"{op.name} sends a body the route does not take"
        return
    assert op.body is not None, f"{op.name} sends no body"
    assert list(body["content"]) == ["application/json"]
    schema, optional = without_null(body["content"]["application/json"]["schema"])
    assert optional == (op.body not in op.required), f"{op.name}: optional body or not"
    model = model_of(op.body_type)
    if schema.get("type") == "array":
        assert typing.get_origin(non_null(op.body_type)) is list
        schema = schema["items"]
    assert_fields_alike(op, model, resolved(op.service, schema), exact=True)


# -- answers ----------------------------------------------------------------------------------


def success(op: Operation) -> tuple[str, dict[str, Any]]:
    answers = documented(op)["responses"]
    codes = [code for code in answers if code.startswith("2")]
    assert len(codes) == 1, op.name
    return codes[0], answers[codes[0]]


def test_no_answer_where_the_route_gives_none(op):
    code, answer = success(op)
    assert (op.answer is None) == (code == "204" or not answer.get("content")), op.name


def test_raw_answers_offer_the_media_types_the_route_gives(op):
    _, answer = success(op)
    types = set(answer.get("content", {}))
    if op.answer is not bytes:
        # JSON, or FHIR's JSON (read as a plain dict: tests/fhir_checks.py holds it to R4B)
        assert types <= {"application/json"} or types == {"application/fhir+json"}, op.name
        assert types != {"application/fhir+json"} or op.answer == dict[str, Any], op.name
        return
    accept = typing.get_type_hints(op.function, include_extras=True)["accept"]
    assert set(typing.get_args(accept)) == types


def test_json_answers_are_read_into_models_of_the_documented_schema(op):
    _, answer = success(op)
    content = answer.get("content", {}).get("application/json")
    if content is None:
        return
    schema = content["schema"]
    if op.paginated:
        page = resolved(op.service, schema)
        # a page may say more of itself (the day sheet: whether it names the patients)
        assert {"items", "next_cursor"} <= set(page["properties"]), op.name
        if not op.whole_pages:
            schema = page["properties"]["items"]["items"]
        assert_answer(op, op.item, schema)
    else:
        assert_answer(op, op.answer, schema)


def assert_answer(op: Operation, python_type: Any, schema: dict[str, Any]) -> None:
    options = schema.get("anyOf", [schema])
    members = [t for t in union_members(python_type) if t is not NoneType]
    if options == [schema] and "$ref" not in schema:
        assert schema.get("type") == "object" and members == [dict[str, Any]], op.name
        return
    assert len(members) == len(options), op.name
    for member, option in zip(members, options, strict=True):
        assert member.__name__ == re.sub(r"\W", "", option["$ref"].split("/")[-1]), op.name
        assert_fields_alike(op, member, resolved(op.service, option), exact=False)


def assert_fields_alike(
    op: Operation, model: type[BaseModel], schema: dict[str, Any], *, exact: bool
) -> None:
    """A body (`exact`) has the schema's fields, required alike. An answer's model has only
    fields the schema has, and requires none the schema does not."""
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    documented_fields, required = set(schema.get("properties", {})), set(schema.get("required", []))
    model_required = {name for name, field in fields.items() if field.is_required()}
    if exact:
        assert set(fields) == documented_fields, (op.name, model.__name__)
        assert model_required == required, (op.name, model.__name__)
    else:
        assert set(fields) <= documented_fields, (op.name, model.__name__)
        assert model_required <= required, (op.name, model.__name__)


# -- types ------------------------------------------------------------------------------------


def assert_same_type(op: Operation, parameter: str, schema: dict[str, Any]) -> None:
    hint = typing.get_type_hints(op.function)[parameter]
    assert kind_of_hint(hint) == kind_of_schema(schema), (op.name, parameter)


def kind_of_hint(hint: Any) -> Any:
    members = [m for m in union_members(hint) if m is not NoneType]
    if len(members) > 1:  # a version as read: 3 or '"3"'
        return "string" if set(members) == {int, str} else members
    (hint,) = members
    if typing.get_origin(hint) is Literal:
        return ("enum", frozenset(typing.get_args(hint)))
    if typing.get_origin(hint) is list:
        return ("array", kind_of_hint(typing.get_args(hint)[0]))
    if hint in _FORMATS:
        return ("string", _FORMATS[hint])
    return _KINDS[hint]


def kind_of_schema(schema: dict[str, Any]) -> Any:
    if "enum" in schema:
        return ("enum", frozenset(schema["enum"]))
    if schema["type"] == "array":
        return ("array", kind_of_schema(schema["items"]))
    if schema.get("format") in _FORMATS.values():
        return (schema["type"], schema["format"])
    return schema["type"]


def union_members(hint: Any) -> list[Any]:
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        return list(typing.get_args(hint))
    return [hint]


def non_null(hint: Any) -> Any:
    (member,) = [m for m in union_members(hint) if m is not NoneType]
    return member


def model_of(hint: Any) -> type[BaseModel]:
    hint = non_null(hint)
    return typing.get_args(hint)[0] if typing.get_origin(hint) is list else hint


# -- the proxy, and the generated code --------------------------------------------------------


def test_behind_the_proxy_each_method_reaches_its_service_at_its_path(op):
    example = re.sub(r"\{\w+\}", "x", op.path)
    url = ServiceURLs.behind_proxy("http://clinic.test").url(
        op.service, example, own_page=op.own_page
    )
    upstream, seen, _ = caddy_route(url.removeprefix("http://clinic.test"))
    assert (upstream, seen) == (f"{op.service}:8000", example), op.name


def test_the_generated_code_is_what_make_client_code_writes_now():
    assert stale_files() == [], "the client's generated code is stale: run `make client-code`"
