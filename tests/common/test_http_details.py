"""HTTP details every service shares: 405 answers name every method of the path, a body that
is not UTF-8 is a documented 4xx problem, and nothing holding PHI or a token is cached."""

import re

import pytest

from tests.app_routes import api_routes
from tests.factories import PASSWORD, bearer, headers_for, make_account, make_patient, token_for

PROBLEM_JSON = "application/problem+json"


def _methods(header: str) -> set[str]:
    return {m.strip() for m in header.split(",")}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/patients", {"GET", "POST"}),
        ("DELETE", "/v1/patients", {"GET", "POST"}),
        ("PUT", "/v1/patients/{id}", {"GET", "PATCH"}),
        ("DELETE", "/v1/users", {"GET", "POST"}),
    ],
)
async def test_405_allows_every_method_of_the_path(patients_api, db, apps, method, path, allowed):
    patient = await make_patient(db)
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.request(
        method, path.replace("{id}", str(patient.id)), headers=headers
    )
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON
    assert _methods(response.headers["allow"]) == allowed
    assert response.json()["status"] == 405


ID = "00000000-0000-4000-8000-000000000000"  # any path's {name}: an id or a slug


def _fits(template: str, path: str) -> bool:
    """path is one the template serves: same segments, a {name} in a segment fits an id
    (`{secret}.ics` fits `<id>.ics`; a fixed word another route has there, such as
    `series`, is not one)."""
    pairs = list(zip(template.split("/"), path.split("/"), strict=False))
    same_length = template.count("/") == path.count("/")
    return same_length and all(re.sub(r"\{[^}]+\}", ID, t) == p for t, p in pairs)


async def test_405_matches_the_app_routes_on_every_service(apps, apis):
    for name, app in apps.items():
        operations = api_routes(app)
        for _, template in operations:
            path = re.sub(r"\{[^}]+\}", ID, template)
            expected = {m for m, t in operations if _fits(t, path)}
            response = await apis[name].request("TRACE", path)
            assert response.status_code == 405, (name, path)
            assert _methods(response.headers["allow"]) == expected, (name, path)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/patients", "application/json"), ("/v1/patients/{id}", "application/json")],
)
async def test_a_body_that_is_not_utf8_is_a_422_problem(patients_api, db, apps, path, content_type):
    patient = await make_patient(db)
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.request(
        "POST" if path == "/v1/patients" else "PATCH",
        path.replace("{id}", str(patient.id)),
        content=b'{"given_name": "Jos\xe9"}',
        headers=headers | {"content-type": content_type, "If-Match": '"1"'},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert "UTF-8" in body["detail"]
    assert body["errors"] == [
        {"loc": ["body"], "msg": body["errors"][0]["msg"], "type": "body_not_utf8"}
    ]


async def test_phi_answers_are_never_stored_by_caches(patients_api, db, apps):
    patient = await make_patient(db)
    headers = await headers_for(db, apps, "therapist")
    for response in (
        await patients_api.get(f"/v1/patients/{patient.id}", headers=headers),
        await patients_api.get("/v1/patients", headers=headers),
        await patients_api.get("/v1/users/me", headers=headers),
    ):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"


async def test_token_answers_are_never_stored(patients_api, db, apps):
    account = await make_account(db, role="front_desk")
    response = await patients_api.post(
        "/v1/auth/token", data={"username": account.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no/such/thing", 404),
        ("GET", "/v1/patients", 401),
        ("DELETE", "/healthz", 405),
        ("POST", "/v1/auth/token", 401),
    ],
)
async def test_error_answers_are_never_stored(patients_api, method, path, status):
    response = await patients_api.request(method, path, data={"username": "a", "password": "b"})
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"


async def test_health_and_keys_stay_cacheable(patients_api, apps):
    for path in ("/healthz", "/.well-known/jwks.json", "/openapi.json"):
        response = await patients_api.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", "")


async def test_every_service_marks_its_v1_answers(apis, db, apps):
    headers = bearer(token_for(apps, await make_account(db, role="therapist")))
    for name, path in (("plans", "/v1/exercises"), ("scheduling", "/v1/locations")):
        response = await apis[name].get(path, headers=headers)
        assert response.status_code == 200, (name, response.text)
        assert response.headers["cache-control"] == "no-store"
