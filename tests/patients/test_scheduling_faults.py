"""When the scheduling service fails while a patient is registered (matrix rows B1, B5):
503 with Retry-After when it is down or failing, 502 when its answer is unusable, and in
every case nothing written."""

import httpx
import pytest
from sqlmodel import func, select

from services.patients.models import AuditEvent, Patient
from tests.factories import headers_for

BODY = {
    "given_name": "Faulty",
    "family_name": "Network",
    "birth_date": "1975-03-03",
    "sex": "female",
    "home_location": "gaithersburg",
}


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def slow(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("read timed out", request=request)


FAULTS = {
    "down": (down, 503),
    "read timeout": (slow, 503),
    "503": (lambda r: httpx.Response(503, json={"detail": "busy"}), 503),
    "500": (lambda r: httpx.Response(500, text="boom"), 503),
    "not json": (lambda r: httpx.Response(200, text="<html>"), 502),
    "wrong location": (lambda r: httpx.Response(200, json={"slug": "frederick"}), 422),
    "wrong shape": (lambda r: httpx.Response(200, json=[1, 2]), 502),
    "redirect": (lambda r: httpx.Response(302, headers={"Location": "http://evil.example/"}), 502),
    "huge": (lambda r: httpx.Response(200, content=b"{" + b" " * (2 * 1024 * 1024) + b"}"), 502),
}


async def counts(db):
    patients = (await db.exec(select(func.count()).select_from(Patient))).one()
    creates = (
        await db.exec(select(func.count()).where(AuditEvent.action == "patient.create"))
    ).one()
    return patients, creates


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_registration_fails_cleanly_when_scheduling_misbehaves(patients_api, db, apps, fault):
    handler, status = FAULTS[fault]
    headers = await headers_for(db, apps, "front_desk")
    before = await counts(db)
    router = apps["patients"].state.http._transport
    with router.replaced("scheduling.test", httpx.MockTransport(handler)):
        response = await patients_api.post("/v1/patients", json=BODY, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if status == 503:
        assert int(response.headers["retry-after"]) > 0
    assert await counts(db) == before


async def test_redirects_are_never_followed(patients_api, db, apps):
    calls = []

    def handler(request):
        calls.append(request.url)
        return httpx.Response(307, headers={"Location": "http://127.0.0.1:1/steal"})

    headers = await headers_for(db, apps, "front_desk")
    router = apps["patients"].state.http._transport
    with router.replaced("scheduling.test", httpx.MockTransport(handler)):
        await patients_api.post("/v1/patients", json=BODY, headers=headers)
    assert len(calls) == 1
