"""No request to any endpoint, with any body, gets a 500 (issue 2's bar, matrix rows C1/C4).

Walks every route of every service and throws malformed and hostile input at it, signed in
and not. Every answer must be below 500 and, when an error, problem+json.
"""

import itertools
import re
import uuid

import pytest

from tests.app_routes import api_routes
from tests.factories import headers_for

BODIES: dict[str, tuple[bytes, str]] = {
    "none": (b"", "application/json"),
    "malformed json": (b'{"given_name": "A", ', "application/json"),
    "json array": (b"[1, 2, 3]", "application/json"),
    "json null": (b"null", "application/json"),
    "json string": (b'"hello"', "application/json"),
    "wrong types": (
        b'{"given_name": 1, "family_name": [], "birth_date": true, "sex": {}, "limit": "x"}',
        "application/json",
    ),
    "deep nesting": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "long strings": (b'{"given_name": "' + b"x" * 100_000 + b'"}', "application/json"),
    "invalid utf-8": (b'{"given_name": "\xff\xfe"}', "application/json"),
    "nul bytes": (b'{"given_name": "a\\u0000b", "family_name": "\\u0000"}', "application/json"),
    "form garbage": (b"username=%ZZ&password=%", "application/x-www-form-urlencoded"),
    "multipart garbage": (
        b"--xx\r\nContent-Disposition: form-data\r\n\r\n",
        "multipart/form-data; boundary=xx",
    ),
    "xml": (b"<patient/>", "application/xml"),
}
PATH_VALUES = [str(uuid.uuid4()), "not-a-uuid", "%27%20OR%201%3D1", "x" * 300, "%00", "toe-spreads"]


def _routes(app) -> list[tuple[str, str]]:
    """Each operation, plus one method it does not allow (a 405 must be problem+json too)."""
    pairs = []
    for method, path in api_routes(app):
        pairs += [(method, path), ("DELETE" if method != "DELETE" else "PUT", path)]
    return pairs


EXPECTED = {
    "patients": ("PATCH", "/v1/patients/{patient_id}"),
    "plans": ("GET", "/v1/exercises/{slug}"),
    "scheduling": ("GET", "/v1/locations/{slug}"),
}


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


@pytest.mark.parametrize("service", ["patients", "plans", "scheduling"])
@pytest.mark.parametrize("role", [None, "front_desk", "admin", "patient"])
async def test_no_route_answers_500(apis, apps, db, service, role):
    headers = await headers_for(db, apps, role) if role else {}
    headers["If-Match"] = "*"  # let bodies past the precondition check to the validation
    api = apis[service]
    assert EXPECTED[service] in _routes(apps[service])  # the walk really reaches the routes
    failures, requests = [], 0
    for (method, path), (body_name, (body, content_type)) in itertools.product(
        _routes(apps[service]), BODIES.items()
    ):
        values = PATH_VALUES if "{" in path else [None]
        for value in values:
            url = _fill(path, value) if value else path
            response = await api.request(
                method, url, content=body, headers={**headers, "content-type": content_type}
            )
            requests += 1
            if response.status_code >= 500:
                failures.append((method, url[:80], body_name, response.status_code))
            elif response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", (method, url)
    assert failures == []
    assert requests > 100


@pytest.mark.parametrize(
    "query",
    [
        "limit=100000",
        "limit=-1",
        "limit=abc",
        "cursor=%00",
        "cursor=" + "A" * 600,
        "cursor=eyJhIjoxfQ",
        "cursor=WyJ4Il0",
        "cursor=WzEsMiwzXQ",
        "name=" + "n" * 500,
        "status=%27",
        "name=%00",
        "body_region=%00",
    ],
)
@pytest.mark.parametrize(
    ("service", "path"),
    [("patients", "/v1/patients"), ("plans", "/v1/exercises"), ("scheduling", "/v1/locations")],
)
async def test_hostile_query_strings_are_4xx(apis, apps, db, service, path, query):
    headers = await headers_for(db, apps, "front_desk")
    response = await apis[service].get(f"{path}?{query}", headers=headers)
    assert response.status_code < 500, response.text
