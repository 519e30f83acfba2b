"""Creating a plan when the patients or scheduling service misbehaves (matrix rows B1, B3,
B5): 503 with Retry-After when it is down, failing or slow, 502 when its answer is unusable,
and in every case nothing written. The other services are asked before any transaction
opens, so a slow one pins no connection."""

import re
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import func, select

from services.plans.models import AuditEvent, IdempotencyKey, PlanOfCare
from tests.factories import bearer, make_account, make_patient, token_for
from tests.plans.plan_requests import neuroma_body, therapist


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
    "redirect": (lambda r: httpx.Response(302, headers={"Location": "http://evil.example/"}), 502),
}
PATIENT_STATUS = re.compile(r"^/v1/patients/[^/]+/status$")


class FailingOn(httpx.AsyncBaseTransport):
    """A service that answers `handler` on paths matching `pattern` and is itself otherwise
    (the account check of every request still reaches the real patients service)."""

    def __init__(self, app: object, pattern: re.Pattern[str], handler) -> None:
        self.real = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.pattern, self.handler = pattern, handler

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.pattern.match(request.url.path):
            return self.handler(request)
        return await self.real.handle_async_request(request)


async def written(db) -> tuple[int, int, int]:
    plans = (await db.exec(select(func.count()).select_from(PlanOfCare))).one()
    creates = (await db.exec(select(func.count()).where(AuditEvent.action == "plan.create"))).one()
    keys = (await db.exec(select(func.count()).select_from(IdempotencyKey))).one()
    return plans, creates, keys


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_patients_misbehaving_writes_nothing(plans_api, db, apps, fault):
    handler, status = FAULTS[fault]
    _, headers = await therapist(db, apps)
    patient = await make_patient(db)
    before = await written(db)
    router = apps["plans"].state.http._transport
    failing = FailingOn(apps["patients"], PATIENT_STATUS, handler)
    with router.replaced("patients.test", failing):
        response = await plans_api.post(
            "/v1/plans",
            json=neuroma_body(patient.id),
            headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if status == 503:
        assert int(response.headers["retry-after"]) > 0
    assert await written(db) == before


@pytest.mark.parametrize("fault", ["down", "503", "not json"])
async def test_scheduling_misbehaving_writes_nothing(plans_api, db, apps, fault):
    handler, status = FAULTS[fault]
    _, headers = await therapist(db, apps)
    patient = await make_patient(db)
    before = await written(db)
    router = apps["plans"].state.http._transport
    with router.replaced("scheduling.test", httpx.MockTransport(handler)):
        response = await plans_api.post("/v1/plans", json=neuroma_body(patient.id), headers=headers)
    assert response.status_code == status, response.text
    assert await written(db) == before


OPEN_TRANSACTIONS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND application_name = 'clinic' AND state LIKE 'idle in transaction%'"
)


async def test_the_other_services_are_asked_outside_any_transaction(
    committed_apis, committed_db, apps, engine
):
    account = await make_account(committed_db, role="therapist")
    patient = await make_patient(committed_db, family_name=f"Asked-{uuid.uuid4().hex[:6]}")
    seen: list[int] = []

    class Watching(FailingOn):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if not request.url.path.startswith("/v1/accounts/"):  # the account check aside
                async with engine.connect() as conn:
                    seen.append((await conn.execute(OPEN_TRANSACTIONS)).scalar_one())
            return await self.real.handle_async_request(request)

    router = apps["plans"].state.http._transport
    with (
        router.replaced("patients.test", Watching(apps["patients"], PATIENT_STATUS, None)),
        router.replaced("scheduling.test", Watching(apps["scheduling"], PATIENT_STATUS, None)),
    ):
        response = await committed_apis["plans"].post(
            "/v1/plans",
            json=neuroma_body(patient.id),
            headers=bearer(token_for(apps, account)) | {"Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    # The patient's status, the clinic, the therapist's name (and whatever those services
    # ask in turn, such as a service token): none of them while a transaction is open.
    assert len(seen) >= 3 and set(seen) == {0}
