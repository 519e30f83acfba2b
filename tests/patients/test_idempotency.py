"""Idempotency-Key on `POST /v1/patients` and `POST /v1/patients/{id}/account`: a retried
POST does its work once (reliability matrix E2, E3). Races use real commits and real
concurrent requests; the rest roll back."""

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, text, update
from sqlmodel import col, select

from services.common.errors import PROBLEM_BASE, PROBLEM_JSON
from services.patients.models import IdempotencyKey, Patient, UserAccount
from tests.factories import headers_for, make_patient

PASSWORD = "heel-cup-and-rocker-sole"
IN_FLIGHT = PROBLEM_BASE + "idempotency-key-in-use"
REUSED = PROBLEM_BASE + "idempotency-key-reused"


def new_patient(**changes: str) -> dict[str, object]:
    return {
        "given_name": "Rosa",
        "family_name": f"Idem-{uuid.uuid4().hex[:8]}",
        "birth_date": "1978-09-30",
        "sex": "female",
        "home_location": "gaithersburg",
        "diagnoses": [{"code": "G57.62"}],
    } | changes


def login() -> dict[str, str]:
    return {"email": f"idem-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return headers | {"Idempotency-Key": key or f"key-{uuid.uuid4()}"}


async def patients_named(db, family_name: str) -> int:
    statement = select(func.count()).where(col(Patient.family_name) == family_name)
    return (await db.exec(statement)).one()


async def logins_of(db, patient_id: uuid.UUID) -> int:
    statement = select(func.count()).where(col(UserAccount.patient_id) == patient_id)
    return (await db.exec(statement)).one()


def assert_same_answer(answer: httpx.Response, first: httpx.Response) -> None:
    assert answer.status_code == first.status_code == 201, answer.text
    assert answer.content == first.content
    for header in ("location", "etag", "content-type"):
        assert answer.headers.get(header) == first.headers.get(header), header


def assert_partition(responses: list[httpx.Response]) -> httpx.Response:
    """Every answer is the one 201 (once first-hand, else replayed) or a 409 in-flight."""
    created = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code == 409]
    assert len(created) + len(refused) == len(responses), [r.status_code for r in responses]
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1, [r.status_code for r in responses]
    for answer in created:
        assert_same_answer(answer, originals[0])
        assert answer in originals or answer.headers["idempotent-replayed"] == "true"
    for answer in refused:
        assert answer.headers["content-type"] == PROBLEM_JSON
        assert answer.json()["type"] == IN_FLIGHT and answer.headers["retry-after"] == "1"
    return originals[0]


# -- racing copies ----------------------------------------------------------------------------


async def test_twenty_racing_copies_register_one_patient(committed_apis, committed_db, apps):
    api = committed_apis["patients"]
    desk = keyed(await headers_for(committed_db, apps, "front_desk"))
    body = new_patient()
    responses = await asyncio.gather(
        *(api.post("/v1/patients", json=body, headers=desk) for _ in range(20))
    )
    first = assert_partition(list(responses))
    assert await patients_named(committed_db, body["family_name"]) == 1
    assert first.headers["location"] == f"/v1/patients/{first.json()['id']}"

    for _ in range(5):  # then one after another: every one a replay
        again = await api.post("/v1/patients", json=body, headers=desk)
        assert_same_answer(again, first)
        assert again.headers["idempotent-replayed"] == "true"
    assert await patients_named(committed_db, body["family_name"]) == 1


async def test_twenty_racing_copies_open_one_login(committed_apis, committed_db, apps):
    api = committed_apis["patients"]
    desk = keyed(await headers_for(committed_db, apps, "front_desk"))
    patient = await make_patient(committed_db)
    url, body = f"/v1/patients/{patient.id}/account", login()
    responses = await asyncio.gather(*(api.post(url, json=body, headers=desk) for _ in range(20)))
    first = assert_partition(list(responses))
    assert await logins_of(committed_db, patient.id) == 1

    for _ in range(5):
        again = await api.post(url, json=body, headers=desk)
        assert_same_answer(again, first)
        assert again.headers["idempotent-replayed"] == "true"
    other_email = await api.post(url, json=login(), headers=desk)
    assert other_email.status_code == 422 and other_email.json()["type"] == REUSED
    assert await logins_of(committed_db, patient.id) == 1


async def test_a_copy_arriving_while_the_first_runs_hears_409_at_once(
    committed_apis, committed_db, apps, engine
):
    """Hold the first request inside its transaction (its login's foreign key waits on a
    row lock we hold), send a copy, then let the first finish."""
    api = committed_apis["patients"]
    desk = keyed(await headers_for(committed_db, apps, "front_desk"))
    patient = await make_patient(committed_db)
    url, body = f"/v1/patients/{patient.id}/account", login()
    async with engine.connect() as blocker:
        await blocker.execute(
            text("SELECT id FROM patients.patient WHERE id = :id FOR UPDATE"), {"id": patient.id}
        )
        first = asyncio.create_task(api.post(url, json=body, headers=desk))
        await _until_a_request_waits_on_a_lock(engine)
        copy = await asyncio.wait_for(api.post(url, json=body, headers=desk), timeout=5)
        assert copy.status_code == 409 and copy.json()["type"] == IN_FLIGHT
        await blocker.rollback()
    assert (await first).status_code == 201
    replay = await api.post(url, json=body, headers=desk)
    assert_same_answer(replay, await first)
    assert await logins_of(committed_db, patient.id) == 1


async def _until_a_request_waits_on_a_lock(engine) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(200):
        async with engine.connect() as conn:
            if (await conn.execute(waiting)).scalar_one():
                return
        await asyncio.sleep(0.025)
    raise AssertionError("the first request never reached the row lock")


# -- one key, one request ---------------------------------------------------------------------


async def test_same_key_with_another_body_is_refused_and_creates_nothing(patients_api, db, apps):
    desk = keyed(await headers_for(db, apps, "therapist"))
    body = new_patient()
    first = await patients_api.post("/v1/patients", json=body, headers=desk)
    assert first.status_code == 201
    changed = body | {"given_name": "Rosalind"}
    refused = await patients_api.post("/v1/patients", json=changed, headers=desk)
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM_JSON
    assert refused.json()["type"] == REUSED
    assert refused.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await patients_named(db, body["family_name"]) == 1


async def test_same_key_on_another_route_is_refused(patients_api, db, apps):
    desk = keyed(await headers_for(db, apps, "front_desk"))
    created = await patients_api.post("/v1/patients", json=new_patient(), headers=desk)
    url = f"/v1/patients/{created.json()['id']}/account"
    refused = await patients_api.post(url, json=login(), headers=desk)
    assert refused.status_code == 422 and refused.json()["type"] == REUSED
    assert await logins_of(db, uuid.UUID(created.json()["id"])) == 0


async def test_another_callers_same_key_is_another_key(patients_api, db, apps):
    key = "shared-by-two-clerks"
    body = new_patient()
    one = keyed(await headers_for(db, apps, "front_desk"), key)
    two = keyed(await headers_for(db, apps, "front_desk"), key)
    first = await patients_api.post("/v1/patients", json=body, headers=one)
    second = await patients_api.post("/v1/patients", json=body, headers=two)
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert first.json()["id"] != second.json()["id"]
    assert await patients_named(db, body["family_name"]) == 2


async def test_without_a_key_every_post_does_its_work(patients_api, db, apps):
    desk = await headers_for(db, apps, "front_desk")
    body, kept = new_patient(), await _stored_answers(db)
    for _ in range(2):
        answer = await patients_api.post("/v1/patients", json=body, headers=desk)
        assert answer.status_code == 201 and "idempotent-replayed" not in answer.headers
    assert await patients_named(db, body["family_name"]) == 2
    assert await _stored_answers(db) == kept


async def _stored_answers(db) -> int:
    return (await db.exec(select(func.count()).select_from(IdempotencyKey))).one()


# -- failures store nothing -------------------------------------------------------------------


async def test_a_failed_first_attempt_leaves_the_key_free(patients_api, db, apps):
    desk = keyed(await headers_for(db, apps, "front_desk"))
    body = new_patient(home_location="nowhere")
    for _ in range(2):  # refused again, not replayed: a failure is never stored
        unknown = await patients_api.post("/v1/patients", json=body, headers=desk)
        assert unknown.status_code == 422 and unknown.json()["type"] != REUSED
    fixed = await patients_api.post(
        "/v1/patients", json=body | {"home_location": "gaithersburg"}, headers=desk
    )
    assert fixed.status_code == 201 and "idempotent-replayed" not in fixed.headers
    assert await patients_named(db, body["family_name"]) == 1


async def test_work_that_fails_inside_the_transaction_stores_nothing(patients_api, db, apps):
    desk = keyed(await headers_for(db, apps, "front_desk"))
    taken = login()
    first_patient, second_patient = await make_patient(db), await make_patient(db)
    opened = await patients_api.post(
        f"/v1/patients/{first_patient.id}/account", json=taken, headers=keyed(desk)
    )
    assert opened.status_code == 201
    url = f"/v1/patients/{second_patient.id}/account"
    clash = await patients_api.post(url, json=taken, headers=desk)  # the email is taken: 409
    assert clash.status_code == 409 and clash.json()["type"] != IN_FLIGHT
    retried = await patients_api.post(url, json=login(), headers=desk)  # same key, new email
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    assert await logins_of(db, second_patient.id) == 1


# -- 24 hours ---------------------------------------------------------------------------------


async def _age(db, key: str, by: timedelta) -> None:
    statement = (
        update(IdempotencyKey)
        .where(col(IdempotencyKey.key) == key)
        .values(created_at=IdempotencyKey.created_at - by)
    )
    await db.exec(statement)
    await db.commit()


async def test_a_key_is_replayed_for_24_hours_then_new_again(patients_api, db, apps):
    desk = keyed(await headers_for(db, apps, "front_desk"))
    key, body = desk["Idempotency-Key"], new_patient()
    first = await patients_api.post("/v1/patients", json=body, headers=desk)
    await _age(db, key, timedelta(hours=23, minutes=59))
    replay = await patients_api.post("/v1/patients", json=body, headers=desk)
    assert_same_answer(replay, first)
    assert replay.headers["idempotent-replayed"] == "true"

    await _age(db, key, timedelta(minutes=2))  # now 24 h and a minute old
    fresh = await patients_api.post("/v1/patients", json=body, headers=desk)
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]
    assert await patients_named(db, body["family_name"]) == 2
    again = await patients_api.post("/v1/patients", json=body, headers=desk)
    assert_same_answer(again, fresh)  # the key now holds the new answer


async def test_an_expired_key_may_carry_another_body(patients_api, db, apps):
    desk = keyed(await headers_for(db, apps, "front_desk"))
    await patients_api.post("/v1/patients", json=new_patient(), headers=desk)
    await _age(db, desk["Idempotency-Key"], timedelta(hours=25))
    other = await patients_api.post("/v1/patients", json=new_patient(), headers=desk)
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers


async def test_a_replay_is_on_the_patients_audit_trail(patients_api, db, apps):
    """A replayed answer shows the record again, so it is a disclosure like any read."""
    desk = keyed(await headers_for(db, apps, "front_desk"))
    body = new_patient()
    first = await patients_api.post("/v1/patients", json=body, headers=desk)
    again = await patients_api.post("/v1/patients", json=body, headers=desk)
    assert again.headers["idempotent-replayed"] == "true"
    query = text(
        "SELECT action, detail->>'of' FROM patients.audit_event "
        "WHERE patient_id = :p AND outcome = 'success' ORDER BY id"
    )
    rows = (await db.exec(query, params={"p": first.json()["id"]})).all()
    assert [tuple(r) for r in rows] == [
        ("patient.create", None),
        ("request.replay", "patient.create"),
    ]
