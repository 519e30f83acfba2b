"""Each service's OpenAPI document says exactly what it answers (issue 6), so that a client
generated from it can tell a 404 from a 412, sends the headers a route needs, and offers only
the values the server takes. The generated client itself is driven in test_generated_client.py;
schemathesis checks the documents against the live answers in test_schemathesis.py."""

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from services.common.account_check import RemoteAccountCheck
from services.common.auth import ROLES, SERVICE_ROLE, USER_ROLES, RoleCheck, current_caller
from services.common.errors import PROBLEM_JSON
from tests.factories import bearer, headers_for

SERVICES = ["patients", "plans", "scheduling"]
PROBLEM_REF = "#/components/schemas/Problem"
Operation = tuple[str, str, dict[str, Any]]


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def by_id(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    found = [op for _, _, op in operations(document) if op["operationId"] == operation_id]
    assert len(found) == 1, operation_id
    return found[0]


def schema_of(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def nullable(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(nullable(s) for s in schema.get("anyOf", []))


@pytest.fixture(params=SERVICES)
def document(request: pytest.FixtureRequest, apps: dict[str, Any]) -> dict[str, Any]:
    return apps[request.param].openapi()


@pytest.fixture
def patients_document(apps: dict[str, Any]) -> dict[str, Any]:
    return apps["patients"].openapi()


# -- errors: one Problem schema, on every error answer --------------------------------------


def test_every_error_answer_is_a_problem(document):
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}, (
                    method,
                    path,
                    status,
                )
                assert response["description"], (method, path, status)


def test_the_problem_schema_has_the_rfc_9457_members_and_typed_field_errors(document):
    problem = schema_of(document, "Problem")
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["required"])
    errors = problem["properties"]["errors"]
    assert errors["items"] == {"$ref": "#/components/schemas/FieldError"}
    field_error = schema_of(document, "FieldError")
    assert set(field_error["required"]) == {"loc", "msg", "type"}
    # FastAPI's own 422 shape is gone: no client is generated that expects `detail: [...]`.
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])


def test_operation_ids_are_unique_within_and_across_the_services(apps):
    ids = [
        operation["operationId"]
        for service in SERVICES
        for _, path, operation in operations(apps[service].openapi())
        if path not in ("/healthz", "/readyz")  # the same two probes on every service
    ]
    assert len(ids) == len(set(ids))


# -- no status a route cannot produce, none it can produce missing --------------------------


def test_health_routes_list_only_what_they_answer(document):
    assert set(by_id(document, "healthz")["responses"]) == {"200"}
    assert set(by_id(document, "readyz")["responses"]) == {"200", "503"}


def test_only_routes_that_take_input_list_422(document):
    for method, path, operation in operations(document):
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        assert ("422" in operation["responses"]) == takes_input, (method, path)


def test_routes_that_take_a_token_list_401(document):
    for method, path, operation in operations(document):
        if operation.get("security"):
            assert "401" in operation["responses"], (method, path)
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_routes_that_take_a_body_list_413(document):
    for method, path, operation in operations(document):
        if operation.get("requestBody"):
            assert "413" in operation["responses"], (method, path)


def test_routes_that_use_the_database_list_503(document):
    for method, path, operation in operations(document):
        if path not in ("/healthz", "/.well-known/jwks.json"):
            assert "503" in operation["responses"], (method, path)
            assert "Retry-After" in operation["responses"]["503"]["headers"]


# What a route's dependencies can answer, read from the route itself (not from openapi.py).
Route = tuple[str, str, set[Callable]]


def routes(app: FastAPI) -> Iterator[Route]:
    """Each documented route's method, path and every dependency it calls."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in context.methods or ():
                yield method, context.path_format, set(calls_of(context.dependant))


def calls_of(dependant: Dependant) -> Iterator[Callable]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from calls_of(sub)


def admitted(calls: set[Callable]) -> set[str]:
    """The roles every role check of the route lets through."""
    roles = set(ROLES)
    for call in calls:
        if isinstance(call, RoleCheck):
            roles &= set(call.roles)
    return roles


def refusals_of_the_caller_checks(app: FastAPI, calls: set[Callable]) -> set[str]:
    expected = set()
    if admitted(calls) != set(ROLES):
        expected.add("403")  # a role the route does not admit: a service on a user route...
    if current_caller in calls and isinstance(app.state.account_check, RemoteAccountCheck):
        expected |= {"502", "503"}  # the patients service answered unreadably, or not at all
    return expected


@pytest.mark.parametrize("service", SERVICES)
def test_routes_list_what_checking_their_caller_can_answer(apps, service):
    app = apps[service]
    document = app.openapi()
    for method, path, calls in routes(app):
        listed = set(document["paths"][path][method.lower()]["responses"])
        missing = refusals_of_the_caller_checks(app, calls) - listed
        assert not missing, (service, method, path, missing)


def test_the_caller_checks_are_found_where_they_are(apps):
    # Guards the test above against finding nothing: these routes are known to refuse.
    found = {
        (service, method, path): refusals_of_the_caller_checks(apps[service], calls)
        for service in SERVICES
        for method, path, calls in routes(apps[service])
    }
    assert found["patients", "GET", "/v1/users/me"] == {"403"}
    assert found["patients", "GET", "/v1/accounts/{user_id}/status"] == {"403"}
    assert found["plans", "GET", "/v1/exercises"] == {"403", "502", "503"}
    assert found["scheduling", "GET", "/v1/locations"] == {"403", "502", "503"}
    assert found["patients", "GET", "/healthz"] == set()


def filled(path: str) -> str:
    """The path with a well-formed value in each of its parameters."""
    return path.format_map(Placeholders())


class Placeholders(dict):
    def __missing__(self, name: str) -> str:
        return "no-such-slug" if name == "slug" else str(uuid.uuid4())


async def test_a_caller_of_the_wrong_kind_gets_a_declared_refusal(apps, db):
    """Drive it: a service token on every user-only route, a user token on every service-only
    route, of all three apps; the answer must be a 403 the operation declares."""
    signer = apps["patients"].state.signer
    service = bearer(signer.service_token(service="plans", lifetime=timedelta(minutes=5)))
    user = await headers_for(db, apps, "admin")
    tried = []
    for name in SERVICES:
        app, transport = apps[name], httpx.ASGITransport(app=apps[name])
        document = app.openapi()
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for method, path, calls in routes(app):
                roles = admitted(calls)
                if not roles or roles == set(ROLES):
                    continue
                headers = service if roles <= set(USER_ROLES) else user
                assert roles <= set(USER_ROLES) or roles == {SERVICE_ROLE}, (name, path)
                answer = await client.request(method, filled(path), headers=headers)
                listed = document["paths"][path][method.lower()]["responses"]
                assert answer.status_code == 403, (name, method, path, answer.text)
                assert "403" in listed, (name, method, path)
                tried.append((name, method, path))
    assert ("patients", "GET", "/v1/users/me") in tried
    assert ("patients", "GET", "/v1/accounts/{user_id}/status") in tried
    assert ("plans", "GET", "/v1/exercises") in tried


def test_the_patient_routes_list_their_own_refusals(patients_document):
    expected = {
        "register_patient": {"401", "403", "422", "502", "503"},
        "read_patient": {"401", "403", "404"},
        "update_patient": {"401", "403", "404", "409", "412", "428", "502", "503"},
        "archive_patient": {"401", "403", "404", "409", "412"},
        "issue_token": {"401", "422", "429"},
    }
    for operation_id, statuses in expected.items():
        listed = set(by_id(patients_document, operation_id)["responses"])
        assert statuses <= listed, (operation_id, statuses - listed)


# -- preconditions ----------------------------------------------------------------------------


def test_if_match_is_a_required_header_where_a_missing_one_is_refused(patients_document):
    parameters = by_id(patients_document, "update_patient")["parameters"]
    (if_match,) = [p for p in parameters if p["name"].lower() == "if-match"]
    assert if_match["in"] == "header" and if_match["required"] is True
    assert if_match["schema"]["type"] == "string" and not nullable(if_match["schema"])
    assert '"3"' not in if_match["description"]
    archive = by_id(patients_document, "archive_patient")["parameters"]
    assert [p["required"] for p in archive if p["name"].lower() == "if-match"] == [False]


@pytest.mark.parametrize(
    ("operation_id", "status"),
    [
        ("register_patient", "201"),
        ("read_patient", "200"),
        ("update_patient", "200"),
        ("archive_patient", "200"),
    ],
)
def test_routes_that_send_an_etag_declare_it(patients_document, operation_id, status):
    response = by_id(patients_document, operation_id)["responses"][status]
    assert response["headers"]["ETag"]["required"] is True
    assert "$ref" in response["content"]["application/json"]["schema"]


# -- bodies say what the server takes -------------------------------------------------------


def test_patient_update_offers_null_only_where_null_clears_a_field(patients_document):
    properties = schema_of(patients_document, "PatientUpdate")["properties"]
    never_null = {"given_name", "family_name", "birth_date", "sex", "home_location", "diagnoses"}
    for name, schema in properties.items():
        assert nullable(schema) == (name not in never_null), name
    assert not schema_of(patients_document, "PatientUpdate").get("required")


def test_the_sign_in_form_types_the_password_grant_fields_as_sent(patients_document):
    body = by_id(patients_document, "issue_token")["requestBody"]
    ref = body["content"]["application/x-www-form-urlencoded"]["schema"]["$ref"]
    form = schema_of(patients_document, ref.rsplit("/", 1)[1])
    fields = form["properties"]
    assert set(fields["grant_type"]["enum"]) >= {"password", "refresh_token"}
    for name in ("username", "password", "refresh_token"):
        assert fields[name]["type"] == "string" and not nullable(fields[name]), name
        assert fields[name]["minLength"] == 1
    assert "grant_type=password" in fields["username"]["description"]
    assert "grant_type=password" in fields["password"]["description"]
    assert "grant_type=refresh_token" in fields["refresh_token"]["description"]


def test_opening_hours_are_typed_and_say_which_day_is_0(apps):
    document = apps["scheduling"].openapi()
    hours = schema_of(document, "LocationRead")["properties"]["opening_hours"]
    assert hours["items"] == {"$ref": "#/components/schemas/OpeningHours"}
    day = schema_of(document, "OpeningHours")["properties"]
    assert day["weekday"]["type"] == "integer" and "0 is Monday" in day["weekday"]["description"]
    assert {day["opens"]["type"], day["closes"]["type"]} == {"string"}


# -- signing in from every service's docs page ----------------------------------------------


def test_every_docs_page_signs_in_at_the_patients_service(document, settings):
    schemes = document["components"]["securitySchemes"]
    token_urls = [
        flow["tokenUrl"]
        for scheme in schemes.values()
        if scheme["type"] == "oauth2"
        for flow in scheme["flows"].values()
    ]
    assert token_urls == [settings.jwt_issuer + "/v1/auth/token"]
    bearer = [name for name, s in schemes.items() if s == {"type": "http", "scheme": "bearer"}]
    assert len(bearer) == 1  # or paste a token, when the browser may not post to another origin
    for method, path, operation in operations(document):
        if operation.get("security"):
            assert {bearer[0]: []} in operation["security"], (method, path)


# -- descriptions promise only what exists --------------------------------------------------

NOT_BUILT_YET = {
    "protocol": "/v1/protocols",
    "plans of care": "/v1/plans",
    "home session": "/v1/plans",
    "availability": "/v1/availability",
    "appointments": "/v1/appointments",
    "working hours": "/v1/locations/{slug}/hours",
}


def test_service_descriptions_name_only_what_has_a_route(document):
    described = document["info"]["description"].lower()
    for feature, path in NOT_BUILT_YET.items():
        if feature in described:
            assert any(p.startswith(path) for p in document["paths"]), feature


# -- validation entries from the services' own checks look like pydantic's -------------------


async def test_a_rule_broken_past_the_schema_names_its_error_type(plans_api, apps, db):
    headers = await headers_for(db, apps, "therapist")
    response = await plans_api.get(
        "/v1/exercises", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["query", "cursor"],
            "msg": "The cursor is not one this service issued.",
            "type": "value_error",
        }
    ]


# -- the server takes no less strict a value than the document says -------------------------


@pytest.mark.parametrize("written", ["0", "1700000000", "2000-1-2", "20000102"])
async def test_a_date_is_only_taken_as_the_document_writes_it(patients_api, apps, db, written):
    # Found by schemathesis: pydantic alone reads digits as Unix time (0 is 1970-01-01).
    headers = await headers_for(db, apps, "front_desk")
    searched = await patients_api.get(
        "/v1/patients", params={"birth_date": written}, headers=headers
    )
    assert searched.status_code == 422
    body = {"given_name": "A", "family_name": "B", "sex": "female", "home_location": "gaithersburg"}
    for birth_date in (written, int(written) if written.isdigit() else written):
        created = await patients_api.post(
            "/v1/patients", json=body | {"birth_date": birth_date}, headers=headers
        )
        assert created.status_code == 422, created.text
        assert created.json()["errors"][0]["loc"] == ["body", "birth_date"]
