"""Home sessions over HTTP: the patient logs a day's exercises and pain on their active plan,
once a day, corrects it the same day; staff read the logs."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlmodel import func, select

from services.plans.models import AuditEvent, HomeSession
from tests.factories import headers_for
from tests.plans.factories import make_session
from tests.plans.home_setup import a_log, clinic_today, patient_with_plan


async def test_the_patient_logs_a_day(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    body = a_log(
        clinic_today(),
        pain=3,
        exercises=["toe-spreads", {"slug": "single-leg-balance", "sets": 1, "reps": 3}],
        numbness=False,
        note="Easier today.",
    )

    response = await plans_api.post(world.sessions, json=body, headers=world.headers)

    assert response.status_code == 201, response.text
    logged = response.json()
    assert response.headers["Location"] == f"{world.sessions}/{logged['id']}"
    assert response.headers["ETag"] == '"1"'
    assert logged["exercises"] == [
        {"slug": "toe-spreads", "sets": None, "reps": None},
        {"slug": "single-leg-balance", "sets": 1, "reps": 3},
    ]
    assert (logged["pain"], logged["red_flags"], logged["advice"]) == (3, [], None)
    read = await plans_api.get(response.headers["Location"], headers=world.headers)
    assert read.status_code == 200 and read.json() == logged


@pytest.mark.parametrize("pain", [11, -1, 3.5, "3", True, None])
async def test_a_pain_off_the_scale_is_refused(plans_api, db, apps, pain):
    world = await patient_with_plan(db, apps)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today(), pain=pain), headers=world.headers
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:2] == ["body", "pain"]
    assert await _logs(db) == 0


async def test_a_log_for_tomorrow_or_before_the_plan_is_refused(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    days = [clinic_today() + timedelta(days=1), world.plan.start_date - timedelta(days=1)]

    for day in days:
        response = await plans_api.post(world.sessions, json=a_log(day), headers=world.headers)
        assert response.status_code == 422, day
        assert response.json()["errors"][0]["loc"] == ["body", "performed_on"]
    assert await _logs(db) == 0


async def test_an_exercise_not_in_the_plan_is_refused_by_its_place(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    body = a_log(clinic_today(), exercises=["toe-spreads", {"slug": "squats", "reps": 10}])

    response = await plans_api.post(world.sessions, json=body, headers=world.headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "exercises", 1]
    assert "exercises[1]" in response.json()["detail"]


@pytest.mark.parametrize(
    "change",
    [
        {"unknown": 1},
        {"exercises": []},
        {"exercises": [{"slug": "toe-spreads", "sets": 0}]},
        {"exercises": [{"slug": "toe-spreads", "extra": 1}]},
        {"numbness": "maybe"},
        {"performed_on": "1732900000"},
    ],
)
async def test_a_malformed_body_is_refused(plans_api, db, apps, change):
    world = await patient_with_plan(db, apps)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today()) | change, headers=world.headers
    )

    assert response.status_code == 422, response.text


async def test_a_second_log_of_the_day_points_at_the_first(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    first = await plans_api.post(world.sessions, json=a_log(clinic_today()), headers=world.headers)

    second = await plans_api.post(
        world.sessions, json=a_log(clinic_today(), pain=5), headers=world.headers
    )

    assert second.status_code == 409
    assert second.json()["session_id"] == first.json()["id"]
    assert second.json()["session_url"] == first.headers["Location"]


@pytest.mark.parametrize(
    ("status", "why"),
    [("on_hold", "on hold"), ("draft", "draft"), ("completed", "completed")],
)
async def test_only_an_active_plan_takes_logs(plans_api, db, apps, status, why):
    world = await patient_with_plan(db, apps, status=status)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today()), headers=world.headers
    )

    assert response.status_code == 409
    assert why in response.json()["detail"]


async def test_another_patients_plan_is_not_found_like_no_plan(plans_api, db, apps):
    mine = await patient_with_plan(db, apps)
    theirs = await patient_with_plan(db, apps)
    body = a_log(clinic_today())

    other = await plans_api.post(theirs.sessions, json=body, headers=mine.headers)
    unknown = await plans_api.post(
        f"/v1/plans/{uuid.uuid4()}/sessions", json=body, headers=mine.headers
    )

    assert other.status_code == unknown.status_code == 404
    assert _without_instance(other.json()) == _without_instance(unknown.json())
    assert "ETag" not in other.headers
    for path in ("sessions", "adherence"):
        url = f"/v1/plans/{theirs.plan.id}/{path}"
        assert (await plans_api.get(url, headers=mine.headers)).status_code == 404
    logged = await make_session(db, plan=theirs.plan, performed_on=clinic_today())
    url = f"{theirs.sessions}/{logged.id}"
    assert (await plans_api.get(url, headers=mine.headers)).status_code == 404
    patch = await plans_api.patch(url, json={"pain": 1}, headers=mine.headers | {"If-Match": '"1"'})
    assert patch.status_code == 404
    refused = await _audited(db, "session.create", outcome="denied")
    assert [e.patient_id for e in refused] == [theirs.patient.id]


@pytest.mark.parametrize("role", ["therapist", "admin", "front_desk"])
async def test_staff_do_not_log_for_the_patient(plans_api, db, apps, role):
    world = await patient_with_plan(db, apps)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today()), headers=await headers_for(db, apps, role)
    )

    assert response.status_code == 403
    assert await _logs(db) == 0
    assert len(await _audited(db, "session.create", outcome="denied")) == 1


async def test_the_patient_corrects_todays_log(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    logged = await plans_api.post(world.sessions, json=a_log(clinic_today()), headers=world.headers)
    url = logged.headers["Location"]
    change = {"pain": 4, "note": "Forgot the balance work.", "exercises": ["single-leg-balance"]}

    without = await plans_api.patch(url, json=change, headers=world.headers)
    corrected = await plans_api.patch(url, json=change, headers=world.headers | {"If-Match": '"1"'})
    stale = await plans_api.patch(
        url, json={"pain": 5}, headers=world.headers | {"If-Match": '"1"'}
    )

    assert without.status_code == 428
    assert corrected.status_code == 200, corrected.text
    assert corrected.headers["ETag"] == '"2"'
    body = corrected.json()
    assert (body["pain"], body["note"], body["version"]) == (4, "Forgot the balance work.", 2)
    assert [e["slug"] for e in body["exercises"]] == ["single-leg-balance"]
    assert stale.status_code == 412
    assert len(await _audited(db, "session.update")) == 1


async def test_yesterdays_log_is_not_corrected(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    logged = await make_session(db, plan=world.plan, performed_on=clinic_today() - timedelta(1))

    response = await plans_api.patch(
        f"{world.sessions}/{logged.id}",
        json={"pain": 1},
        headers=world.headers | {"If-Match": "*"},
    )

    assert response.status_code == 409
    assert "only on the day it was performed" in response.json()["detail"]


async def test_a_correction_names_a_bad_exercise(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    logged = await make_session(db, plan=world.plan, performed_on=clinic_today())

    response = await plans_api.patch(
        f"{world.sessions}/{logged.id}",
        json={"exercises": ["toe-spreads", "toe-spreads"]},
        headers=world.headers | {"If-Match": "*"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "exercises", 1]


async def test_staff_read_the_logs_newest_first_and_the_front_desk_does_not(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    today = clinic_today()
    for back in (3, 1, 2):
        await make_session(db, plan=world.plan, performed_on=today - timedelta(days=back))

    pages = []
    url, therapist = world.sessions, await headers_for(db, apps, "therapist")
    params = {"limit": 2}
    while True:
        page = (await plans_api.get(url, params=params, headers=therapist)).json()
        pages.append([s["performed_on"] for s in page["items"]])
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    front_desk = await plans_api.get(url, headers=await headers_for(db, apps, "front_desk"))
    own = await plans_api.get(url, headers=world.headers)

    expected = [(today - timedelta(days=n)).isoformat() for n in (1, 2, 3)]
    assert pages == [expected[:2], expected[2:]]
    assert front_desk.status_code == 403
    assert [s["performed_on"] for s in own.json()["items"]] == expected
    assert len(await _audited(db, "session.list")) == 3
    assert len(await _audited(db, "session.list", outcome="denied")) == 1


async def test_a_retry_with_the_same_key_logs_once(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    headers = world.headers | {"Idempotency-Key": str(uuid.uuid4())}
    body = a_log(clinic_today())

    first = await plans_api.post(world.sessions, json=body, headers=headers)
    again = await plans_api.post(world.sessions, json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert await _logs(db) == 1


async def test_twenty_logs_of_the_same_day_at_once_make_one(apps, committed_apis, committed_db):
    world = await patient_with_plan(committed_db, apps)
    api, body = committed_apis["plans"], a_log(clinic_today())

    answers = await asyncio.gather(
        *(api.post(world.sessions, json=body, headers=world.headers) for _ in range(20))
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 19
    winner = next(a for a in answers if a.status_code == 201).json()["id"]
    assert {a.json()["session_id"] for a in answers if a.status_code == 409} == {winner}
    count = (
        select(func.count()).select_from(HomeSession).where(HomeSession.plan_id == world.plan.id)
    )
    assert (await committed_db.exec(count)).one() == 1


async def _logs(db) -> int:
    return (await db.exec(select(func.count()).select_from(HomeSession))).one()


async def _audited(db, action: str, *, outcome: str = "success") -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
    return list((await db.exec(statement)).all())


def _without_instance(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "instance"}
