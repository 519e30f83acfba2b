"""Admins and therapists edit the exercise library over HTTP: add (slug unique), change with
If-Match, retire, and delete only what no plan or protocol ever used. Bad input is refused
whole; every edit leaves an audit row."""

import asyncio
import uuid

import pytest
from sqlmodel import select

from services.plans.library import lookup
from services.plans.models import AuditEvent, ProgramExerciseUse
from tests.factories import headers_for, make_patient
from tests.plans.factories import make_plan


def new_exercise(**fields) -> dict:
    body = {
        "slug": f"heel-raises-{uuid.uuid4().hex[:8]}",
        "name": "Heel raises",
        "purpose": "Strengthens the calf so the ankle pushes off evenly.",
        "instructions": "Rise onto the balls of both feet, then lower slowly.",
        "body_region": "ankle",
        "setting": "home",
        "equipment": ["none"],
        "cues": ["Lower slowly", "Keep the knees straight"],
        "default_dosage": {"sets": 2, "sets_max": 3, "reps": 10, "reps_max": 15, "side": "both"},
        "tags": ["strength"],
    }
    return body | fields


async def _audit(db, action: str, slug: str) -> list[AuditEvent]:
    by_slug = AuditEvent.detail["slug"].astext == slug  # type: ignore[index]
    statement = select(AuditEvent).where(AuditEvent.action == action, by_slug)
    return list((await db.exec(statement)).all())


async def _add(api, headers, **fields) -> dict:
    response = await api.post("/v1/exercises", json=new_exercise(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# -- adding -----------------------------------------------------------------------------------


async def test_a_therapist_adds_an_exercise(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    body = new_exercise()

    response = await plans_api.post("/v1/exercises", json=body, headers=headers)

    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"/v1/exercises/{body['slug']}"
    assert response.headers["ETag"] == '"1"' and created["version"] == 1
    assert created["default_dosage"] | {"note": None} == {
        "sets": 2,
        "sets_max": 3,
        "reps": 10,
        "reps_max": 15,
        "hold_seconds": None,
        "hold_seconds_max": None,
        "times_per_day": None,
        "days_per_week": None,
        "side": "both",
        "note": None,
    }
    read = await plans_api.get(response.headers["Location"], headers=headers)
    assert read.json() == created
    [row] = await _audit(db, "exercise.create", body["slug"])
    assert row.actor_role == "therapist" and row.patient_id is None


async def test_a_hold_of_zero_is_a_dosage(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    created = await _add(plans_api, headers, default_dosage={"hold_seconds": 0, "reps": 5})
    assert created["default_dosage"]["hold_seconds"] == 0


async def test_a_taken_slug_is_409_and_changes_nothing(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    response = await plans_api.post(
        "/v1/exercises", json=new_exercise(slug="toe-spreads"), headers=headers
    )
    assert response.status_code == 409
    assert "toe-spreads" in response.json()["detail"]
    spreads = (await plans_api.get("/v1/exercises/toe-spreads", headers=headers)).json()
    assert spreads["name"] == "Toe spreads"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sets", 0),
        ("sets", 11),
        ("reps", 0),
        ("reps", 101),
        ("hold_seconds", -1),
        ("hold_seconds", 601),
        ("times_per_day", 7),
        ("days_per_week", 8),
        ("days_per_week", 0),
        ("reps", 3.5),
    ],
)
async def test_a_dosage_out_of_bounds_is_422_naming_the_field(plans_api, db, apps, field, value):
    headers = await headers_for(db, apps, "therapist")
    body = new_exercise(default_dosage={field: value})

    response = await plans_api.post("/v1/exercises", json=body, headers=headers)

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "default_dosage", field]]
    assert (
        await plans_api.get(f"/v1/exercises/{body['slug']}", headers=headers)
    ).status_code == 404


@pytest.mark.parametrize(
    ("dosage", "field"),
    [
        ({"reps": 15, "reps_max": 10}, "reps_max"),
        ({"sets": 3, "sets_max": 2}, "sets_max"),
        ({"hold_seconds": 30, "hold_seconds_max": 20}, "hold_seconds_max"),
        ({"reps_max": 10}, "reps_max"),  # a high end without its low end
    ],
)
async def test_a_range_upside_down_is_422_naming_its_high_end(plans_api, db, apps, dosage, field):
    headers = await headers_for(db, apps, "therapist")
    response = await plans_api.post(
        "/v1/exercises", json=new_exercise(default_dosage=dosage), headers=headers
    )
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "default_dosage", field]]


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "red"},
        {"default_dosage": {"reps": 10, "speed": "fast"}},
        {"slug": "Not A Slug"},
        {"setting": "garden"},
        {"equipment": ["Cable Machine"]},
        {"name": ""},
        {"name": "Toe \u202espreads"},
        {"cues": ["x" * 301]},
    ],
)
async def test_bad_input_is_422_and_writes_nothing(plans_api, db, apps, change):
    headers = await headers_for(db, apps, "therapist")
    body = new_exercise(slug="never-written") | change
    response = await plans_api.post("/v1/exercises", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert (await plans_api.get("/v1/exercises/never-written", headers=headers)).status_code == 404
    assert await _audit(db, "exercise.create", "never-written") == []


# -- changing ---------------------------------------------------------------------------------


async def test_a_change_needs_the_etag_and_bumps_it(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    slug = (await _add(plans_api, headers))["slug"]
    url = f"/v1/exercises/{slug}"
    change = {"cues": ["Rise slowly"], "default_dosage": {"reps": 12, "side": "each"}}

    assert (await plans_api.patch(url, json=change, headers=headers)).status_code == 428
    stale = headers | {"If-Match": '"7"'}
    assert (await plans_api.patch(url, json=change, headers=stale)).status_code == 412
    response = await plans_api.patch(url, json=change, headers=headers | {"If-Match": '"1"'})

    assert response.status_code == 200, response.text
    changed = response.json()
    assert response.headers["ETag"] == '"2"' and changed["version"] == 2
    assert changed["cues"] == ["Rise slowly"] and changed["name"] == "Heel raises"
    assert changed["default_dosage"]["reps"] == 12 and changed["default_dosage"]["sets"] is None
    [row] = await _audit(db, "exercise.update", slug)
    assert row.detail == {"slug": slug, "fields": ["cues", "default_dosage"], "version": 2}
    assert row.entity_type == "exercise" and row.entity_id == changed["id"]


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"name": None},
        {"slug": "renamed"},
        {"default_dosage": {"reps": 101}},
        {"default_dosage": {"reps": 5, "reps_max": 4}},
    ],
)
async def test_a_bad_change_is_422_and_keeps_the_version(plans_api, db, apps, change):
    headers = await headers_for(db, apps, "therapist")
    slug = (await _add(plans_api, headers))["slug"]
    url = f"/v1/exercises/{slug}"
    response = await plans_api.patch(url, json=change, headers=headers | {"If-Match": "*"})
    assert response.status_code == 422
    assert (await plans_api.get(url, headers=headers)).json()["version"] == 1


async def test_optional_words_can_be_cleared(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin") | {"If-Match": "*"}
    slug = (await _add(plans_api, headers, precautions="Hold on to a counter."))["slug"]
    response = await plans_api.patch(
        f"/v1/exercises/{slug}", json={"precautions": None}, headers=headers
    )
    assert response.status_code == 200 and response.json()["precautions"] is None


async def test_changing_an_unknown_exercise_is_404(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist") | {"If-Match": "*"}
    response = await plans_api.patch("/v1/exercises/nope", json={"name": "X"}, headers=headers)
    assert response.status_code == 404


# -- retiring and deleting --------------------------------------------------------------------


async def test_a_retired_exercise_is_hidden_and_cannot_go_into_new_plans(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    slug = (await _add(plans_api, headers, tags=["retire-test"]))["slug"]

    response = await plans_api.post(f"/v1/exercises/{slug}/retire", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["retired_at"] is not None and response.headers["ETag"] == '"2"'
    listed = await plans_api.get("/v1/exercises", params={"tag": "retire-test"}, headers=headers)
    assert listed.json()["items"] == []
    with_retired = await plans_api.get(
        "/v1/exercises", params={"tag": "retire-test", "include_retired": "true"}, headers=headers
    )
    assert [e["slug"] for e in with_retired.json()["items"]] == [slug]
    assert (await plans_api.get(f"/v1/exercises/{slug}", headers=headers)).status_code == 200
    assert await lookup.exercises_by_slug(db, [slug]) == {}
    again = await plans_api.post(f"/v1/exercises/{slug}/retire", headers=headers)
    assert again.status_code == 409
    assert len(await _audit(db, "exercise.retire", slug)) == 1


async def test_retiring_with_a_stale_etag_is_412(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    slug = (await _add(plans_api, headers))["slug"]
    stale = headers | {"If-Match": '"5"'}
    assert (await plans_api.post(f"/v1/exercises/{slug}/retire", headers=stale)).status_code == 412


async def test_an_exercise_no_plan_used_is_deleted(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    slug = (await _add(plans_api, headers))["slug"]

    response = await plans_api.delete(f"/v1/exercises/{slug}", headers=headers)

    assert response.status_code == 204 and response.content == b""
    assert (await plans_api.get(f"/v1/exercises/{slug}", headers=headers)).status_code == 404
    assert len(await _audit(db, "exercise.delete", slug)) == 1
    assert (await plans_api.delete(f"/v1/exercises/{slug}", headers=headers)).status_code == 404


async def test_an_exercise_a_plan_used_is_retired_not_deleted(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    created = await _add(plans_api, headers)
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    db.add(ProgramExerciseUse(exercise_id=uuid.UUID(created["id"]), plan_id=plan.id))
    await db.commit()

    response = await plans_api.delete(f"/v1/exercises/{created['slug']}", headers=headers)

    assert response.status_code == 409
    assert "retire it instead" in response.json()["detail"]
    url = f"/v1/exercises/{created['slug']}"
    assert (await plans_api.get(url, headers=headers)).status_code == 200
    assert await _audit(db, "exercise.delete", created["slug"]) == []


async def test_an_exercise_a_protocol_lists_is_not_deleted(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    response = await plans_api.delete("/v1/exercises/toe-spreads", headers=headers)
    assert response.status_code == 409
    assert "mortons-neuroma" in response.json()["detail"]


# -- races ------------------------------------------------------------------------------------


async def test_of_twenty_changes_with_one_etag_exactly_one_wins(committed_apis, committed_db, apps):
    api = committed_apis["plans"]
    headers = await headers_for(committed_db, apps, "therapist")
    slug = (await _add(api, headers))["slug"]
    try:
        answers = await asyncio.gather(
            *(
                api.patch(
                    f"/v1/exercises/{slug}",
                    json={"name": f"Heel raises {n}"},
                    headers=headers | {"If-Match": '"1"'},
                )
                for n in range(20)
            )
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] + [412] * 19
        final = (await api.get(f"/v1/exercises/{slug}", headers=headers)).json()
        assert final["version"] == 2
    finally:
        await api.delete(f"/v1/exercises/{slug}", headers=headers)


async def test_of_twenty_adds_of_one_slug_exactly_one_wins(committed_apis, committed_db, apps):
    api = committed_apis["plans"]
    headers = await headers_for(committed_db, apps, "admin")
    body = new_exercise()
    try:
        answers = await asyncio.gather(
            *(api.post("/v1/exercises", json=body, headers=headers) for _ in range(20))
        )
        assert sorted(a.status_code for a in answers) == [201] + [409] * 19
    finally:
        await api.delete(f"/v1/exercises/{body['slug']}", headers=headers)
