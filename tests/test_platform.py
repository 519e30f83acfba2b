"""What every service shares: health, problem+json errors, request ids, body limits."""

import json
import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.errors import PROBLEM_JSON
from services.common.logs import JsonFormatter
from services.common.request_context import adopt_request_id, release_request_id
from services.patients.settings import PatientsSettings
from tests.factories import headers_for

SERVICES = ["patients", "plans", "scheduling"]


@pytest.mark.parametrize("service", SERVICES)
async def test_health_and_readiness(service, apis):
    api = apis[service]
    assert (await api.get("/healthz")).json()["status"] == "ok"
    ready = await api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["database"] == "ok"
    assert ready.json()["schema_revision"] == api._transport.app.state.schema_head


async def test_not_ready_when_the_schema_is_not_at_head(patients_api, apps, monkeypatch):
    monkeypatch.setattr(apps["patients"].state, "schema_head", "a-newer-revision")
    response = await patients_api.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["retry-after"]
    assert "a-newer-revision" in response.json()["detail"]


async def test_not_ready_and_503_when_the_database_is_unreachable(plans_api, apps, db, monkeypatch):
    headers = await headers_for(db, apps, "therapist")  # an account the patients service knows
    unreachable = create_async_engine("postgresql+asyncpg://nobody:x@127.0.0.1:1/none")
    monkeypatch.setattr(apps["plans"].state, "engine", unreachable)
    apps["plans"].dependency_overrides.clear()  # use the real session, on the dead engine
    ready = await plans_api.get("/readyz")
    assert ready.status_code == 503 and ready.headers["content-type"] == PROBLEM_JSON
    listed = await plans_api.get("/v1/exercises", headers=headers)
    assert listed.status_code == 503, listed.text
    assert listed.headers["content-type"] == PROBLEM_JSON and listed.headers["retry-after"]
    assert "Traceback" not in listed.text
    await unreachable.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_openapi_published_with_operation_ids(service, apis):
    api = apis[service]
    document = (await api.get("/openapi.json")).json()
    operation_ids = [
        op["operationId"] for path in document["paths"].values() for op in path.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert all(op.replace("_", "").isalnum() for op in operation_ids)
    assert (await api.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no/such/thing", 404), ("DELETE", "/healthz", 405), ("PUT", "/v1/patients", 405)],
)
async def test_routing_errors_are_problem_details(patients_api, method, path, status):
    response = await patients_api.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status and body["type"].startswith("https://") and body["detail"]


async def test_malformed_json_is_a_422_naming_the_problem(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.post(
        "/v1/patients",
        content=b'{"given_name": ',
        headers={**headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["errors"][0]["type"] == "json_invalid"


async def test_validation_errors_do_not_echo_input(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.post(
        "/v1/patients", json={"given_name": 12345678}, headers=headers
    )
    assert response.status_code == 422
    assert "12345678" not in response.text
    locations = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert ("body", "family_name") in locations


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/patients", "application/json"), ("/v1/auth/token", "application/x-www-form-urlencoded")],
)
async def test_body_over_the_limit_is_413(patients_api, streamed, path, content_type):
    big = b"username=" + b"a" * (1024 * 1024 + 10)

    async def chunks():
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    content = chunks() if streamed else big
    response = await patients_api.post(
        path, content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"].endswith("/payload-too-large")


async def test_request_id_is_echoed_and_generated(plans_api):
    given = await plans_api.get("/healthz", headers={"X-Request-ID": "desk-7.abc"})
    assert given.headers["x-request-id"] == "desk-7.abc"
    made = await plans_api.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert (
        made.headers["x-request-id"] != "bad id with spaces"
        and len(made.headers["x-request-id"]) == 32
    )


async def test_request_id_is_passed_to_other_services(patients_api, db, apps):
    router = apps["patients"].state.http._transport
    headers = await headers_for(db, apps, "front_desk")
    router.calls.clear()
    body = {
        "given_name": "Ines",
        "family_name": "Okafor",
        "birth_date": "1984-01-09",
        "sex": "female",
        "home_location": "columbia",
    }
    response = await patients_api.post(
        "/v1/patients", json=body, headers={**headers, "X-Request-ID": "trace-123"}
    )
    assert response.status_code == 201, response.text
    onward = [c for c in router.calls if c.url.host == "scheduling.test"]
    assert onward and all(c.headers["x-request-id"] == "trace-123" for c in onward)


def test_json_log_lines_carry_the_request_id():
    _, context = adopt_request_id("req-42")
    record = logging.LogRecord(
        "clinic.test", logging.INFO, __file__, 1, "hello %s", ("desk",), None
    )
    record.status = 201
    line = json.loads(JsonFormatter("patients").format(record))
    release_request_id(context)
    assert line == line | {
        "msg": "hello desk",
        "request_id": "req-42",
        "service": "patients",
        "status": 201,
    }


def test_production_refuses_development_defaults():
    with pytest.raises(ValueError, match="refusing to start in production"):
        PatientsSettings(env="production")
    with pytest.raises(ValueError, match="CLINIC_DEMO_PASSWORD"):
        PatientsSettings(
            env="production",
            database_url="postgresql://db/clinic",
            jwt_issuer="https://clinic.example",
            demo_password="demo",
        )
    ok = PatientsSettings(
        env="production", database_url="postgresql://db/clinic", jwt_issuer="https://x"
    )
    assert ok.async_database_url == "postgresql+asyncpg://db/clinic"


async def test_docs_behind_the_proxy_point_at_the_prefixed_openapi(plans_api):
    page = await plans_api.get("/docs", headers={"X-Forwarded-Prefix": "/plans"})
    assert page.status_code == 200 and "/plans/openapi.json" in page.text
    hostile = await plans_api.get("/docs", headers={"X-Forwarded-Prefix": "//evil.example"})
    assert "evil" not in hostile.text


async def test_a_bug_is_a_500_problem_with_the_request_id_and_no_traceback(settings):
    from fastapi import APIRouter

    from services.common.app import create_app

    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app = create_app(service="t", title="t", description="t", routers=[router], settings=settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "bug-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["x-request-id"] == "bug-1"
    assert "secret internals" not in response.text and "Traceback" not in response.text
