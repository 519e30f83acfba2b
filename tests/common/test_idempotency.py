"""The Idempotency-Key building block (services/common/idempotency.py): the header's rules,
its place in the OpenAPI documents, the lock that makes a copy in flight a 409, and the
pruning of expired answers. The patients routes are the HTTP surface it is tried through."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from services.common.columns import utcnow
from services.common.errors import PROBLEM_JSON
from services.common.idempotency import KEPT_FOR, RequestInFlight, claim
from services.patients.models import IdempotencyKey, Patient
from tests.factories import headers_for

NEW_PATIENT = {
    "given_name": "Ines",
    "family_name": "Keyworth",
    "birth_date": "1990-02-11",
    "sex": "female",
    "home_location": "gaithersburg",
}


@pytest.mark.parametrize(
    "key",
    [
        "",
        "two words",
        "tab\tinside",
        "x" * 256,
        "caf\xe9".encode("latin-1"),
        b"\x7fdel",
    ],
    ids=["empty", "space", "tab", "too-long", "non-ascii", "control"],
)
async def test_a_malformed_key_is_refused_before_any_work(patients_api, db, apps, key):
    desk = await headers_for(db, apps, "front_desk")
    body = NEW_PATIENT | {"family_name": f"Bad-{uuid.uuid4().hex[:6]}"}
    answer = await patients_api.post(
        "/v1/patients", json=body, headers=desk | {"Idempotency-Key": key}
    )
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM_JSON
    assert answer.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    count = select(func.count()).where(col(Patient.family_name) == body["family_name"])
    assert (await db.exec(count)).one() == 0


@pytest.mark.parametrize(
    "key", ["a", "x" * 255, "!~{}[]:/=+", "0b9e6c1e-5c8e-4f5e-9a59-0c2b7f1d3a44"]
)
async def test_any_1_to_255_visible_ascii_characters_make_a_key(patients_api, db, apps, key):
    desk = await headers_for(db, apps, "therapist")
    answer = await patients_api.post(
        "/v1/patients", json=NEW_PATIENT, headers=desk | {"Idempotency-Key": key}
    )
    assert answer.status_code == 201, answer.text
    stored = await db.exec(select(IdempotencyKey).where(col(IdempotencyKey.key) == key))
    assert stored.one().status == 201


@pytest.mark.parametrize("path", ["/v1/patients", "/v1/patients/{patient_id}/account"])
async def test_the_header_is_declared_optional_on_both_routes(patients_api, path):
    document = (await patients_api.get("/openapi.json")).json()
    post = document["paths"][path]["post"]
    header = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] is False
    assert "24 hours" in header["description"]
    assert header["schema"]["anyOf"][0]["maxLength"] == 255
    assert "409" in post["responses"]


def _request(path: str, body: bytes) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"patients.test")],
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


async def test_the_lock_is_per_caller_and_key_and_ends_with_the_transaction(engine):
    async with AsyncSession(engine) as first, AsyncSession(engine) as second:
        request = _request("/v1/patients", b"{}")
        held = await claim(first, IdempotencyKey, key="k", caller="one", request=request)
        assert held.replay is None
        with pytest.raises(RequestInFlight):
            await claim(second, IdempotencyKey, key="k", caller="one", request=request)
        await second.rollback()
        await claim(second, IdempotencyKey, key="k", caller="two", request=request)
        await claim(second, IdempotencyKey, key="other", caller="one", request=request)
        await second.rollback()
        await first.rollback()  # the first gives up: nothing stored, the key is free
        free = await claim(second, IdempotencyKey, key="k", caller="one", request=request)
        assert free.replay is None
        await second.rollback()


async def test_storing_an_answer_prunes_expired_ones(patients_api, db, apps):
    ages = {"old-1": KEPT_FOR + timedelta(minutes=1), "old-2": timedelta(days=30)}
    stored = [_stored_answer(key, ago) for key, ago in ages.items()]
    recent = _stored_answer("recent", timedelta(hours=1))
    db.add_all([*stored, recent])
    await db.commit()
    desk = await headers_for(db, apps, "front_desk")
    answer = await patients_api.post(
        "/v1/patients", json=NEW_PATIENT, headers=desk | {"Idempotency-Key": "new"}
    )
    assert answer.status_code == 201
    left = await db.exec(select(IdempotencyKey.key).where(IdempotencyKey.caller == "someone"))
    assert set(left.all()) == {"recent"}


def _stored_answer(key: str, age: timedelta) -> IdempotencyKey:
    return IdempotencyKey(
        caller="someone",
        key=key,
        request_method="POST",
        request_path="/v1/patients",
        request_hash="0" * 64,
        status=201,
        body="{}",
        headers={},
        created_at=utcnow() - age,
    )
