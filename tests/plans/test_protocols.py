"""Condition protocols as data, over HTTP: every user reads them, admins add and change them
(with If-Match), exercises are named by slug and must be live, and bad input is refused
whole."""

import uuid

import pytest
from sqlmodel import select

from services.plans.models import AuditEvent
from tests.factories import headers_for

NEUROMA_EXERCISES = [
    "toe-spreads",
    "toe-press-downs",
    "gastroc-soleus-stretch",
    "single-leg-balance",
]


def new_protocol(**fields) -> dict:
    body = {
        "slug": f"plantar-fasciitis-{uuid.uuid4().hex[:8]}",
        "name": "Plantar fasciitis",
        "condition": "Plantar fasciitis (heel pain at the plantar fascia)",
        "icd10_codes": ["M72.2"],
        "exercises": [
            {"slug": "gastroc-soleus-stretch", "dosage": {"reps": 3, "hold_seconds": 30}},
            {"slug": "toe-press-downs", "part": "clinic", "dosage": {"sets": 3, "reps": 12}},
        ],
        "education": [{"slug": "footwear", "title": "Supportive shoes", "text": "Wear them."}],
        "red_flag_criteria": {"pain_at_least": 8, "medical_options": ["injection"]},
        "goal_templates": [{"text": "Walks 20 minutes", "term": "long", "weeks": 6}],
        "default_frequency_per_week": 2,
        "default_duration_weeks": 4,
    }
    return body | fields


async def _audit(db, action: str, slug: str) -> list[AuditEvent]:
    by_slug = AuditEvent.detail["slug"].astext == slug  # type: ignore[index]
    statement = select(AuditEvent).where(AuditEvent.action == action, by_slug)
    return list((await db.exec(statement)).all())


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["patient", "front_desk", "therapist", "admin"])
async def test_every_signed_in_role_reads_the_protocols(plans_api, db, apps, role):
    response = await plans_api.get("/v1/protocols", headers=await headers_for(db, apps, role))
    assert response.status_code == 200
    assert "mortons-neuroma" in {p["slug"] for p in response.json()["items"]}


async def test_the_neuroma_protocol_is_data(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")

    response = await plans_api.get("/v1/protocols/mortons-neuroma", headers=headers)

    assert response.status_code == 200
    protocol = response.json()
    assert response.headers["ETag"] == f'"{protocol["version"]}"'
    assert "neuroma" in protocol["condition"].lower()
    assert protocol["icd10_codes"] == ["G57.60", "G57.61", "G57.62", "G57.63"]
    assert [e["slug"] for e in protocol["exercises"]] == NEUROMA_EXERCISES
    spreads = protocol["exercises"][0]
    assert spreads["name"] == "Toe spreads" and spreads["part"] is None
    assert (spreads["dosage"]["reps"], spreads["dosage"]["reps_max"]) == (10, 15)
    assert {e["slug"] for e in protocol["education"]} == {
        "wide-toe-box-shoes",
        "neuroma-pad",
        "ankle-mobility",
        "arch-stability",
    }
    flags = protocol["red_flag_criteria"]
    assert (flags["pain_at_least"], flags["pain_rising_logs"], flags["new_numbness"]) == (
        7,
        3,
        True,
    )
    assert len(flags["medical_options"]) == 3 and flags["advice"]
    assert [g["term"] for g in protocol["goal_templates"]] == ["short", "long"]
    frequency = (protocol["default_frequency_per_week"], protocol["default_duration_weeks"])
    assert frequency == (2, 6)


async def test_an_unknown_protocol_is_404(plans_api, db, apps):
    headers = await headers_for(db, apps, "patient")
    assert (await plans_api.get("/v1/protocols/no-such", headers=headers)).status_code == 404


# -- adding and changing ----------------------------------------------------------------------


async def test_an_admin_adds_a_protocol(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    body = new_protocol()

    response = await plans_api.post("/v1/protocols", json=body, headers=headers)

    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/v1/protocols/{body['slug']}"
    assert response.headers["ETag"] == '"1"'
    created = response.json()
    assert [(e["slug"], e["part"]) for e in created["exercises"]] == [
        ("gastroc-soleus-stretch", None),
        ("toe-press-downs", "clinic"),
    ]
    assert created["exercises"][0]["name"].startswith("Calf stretch")
    assert created["red_flag_criteria"]["pain_at_least"] == 8
    assert created["red_flag_criteria"]["new_numbness"] is False
    read = await plans_api.get(response.headers["Location"], headers=headers)
    assert read.json() == created
    [row] = await _audit(db, "protocol.create", body["slug"])
    assert row.actor_role == "admin" and row.patient_id is None


async def test_a_taken_protocol_slug_is_409(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    body = new_protocol(slug="mortons-neuroma")
    assert (await plans_api.post("/v1/protocols", json=body, headers=headers)).status_code == 409


async def test_an_admin_changes_a_protocol_with_if_match(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    url = "/v1/protocols/mortons-neuroma"
    version = (await plans_api.get(url, headers=headers)).json()["version"]
    change = {
        "red_flag_criteria": {"pain_at_least": 8, "pain_rising_logs": 3, "new_numbness": True},
        "exercises": [{"slug": "single-leg-balance", "part": "home"}],
    }

    assert (await plans_api.patch(url, json=change, headers=headers)).status_code == 428
    stale = headers | {"If-Match": f'"{version + 1}"'}
    assert (await plans_api.patch(url, json=change, headers=stale)).status_code == 412
    response = await plans_api.patch(
        url, json=change, headers=headers | {"If-Match": f'"{version}"'}
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["version"] == version + 1
    assert response.headers["ETag"] == f'"{version + 1}"'
    assert changed["red_flag_criteria"]["pain_at_least"] == 8
    assert [(e["slug"], e["part"]) for e in changed["exercises"]] == [
        ("single-leg-balance", "home")
    ]
    assert len(changed["education"]) == 4  # untouched
    [row] = await _audit(db, "protocol.update", "mortons-neuroma")
    assert row.detail == {
        "slug": "mortons-neuroma",
        "fields": ["exercises", "red_flag_criteria"],
        "version": version + 1,
    }


# -- bad input --------------------------------------------------------------------------------


async def _refused(api, headers, body: dict) -> list:
    response = await api.post("/v1/protocols", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert (await api.get(f"/v1/protocols/{body['slug']}", headers=headers)).status_code == 404
    return [e["loc"] for e in response.json()["errors"]]


async def test_an_unknown_exercise_slug_is_422_naming_its_place(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    exercises = [{"slug": "toe-spreads"}, {"slug": "no-such-exercise"}]
    locs = await _refused(plans_api, headers, new_protocol(exercises=exercises))
    assert locs == [["body", "exercises", 1, "slug"]]


async def test_a_retired_exercise_cannot_go_into_a_protocol(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    retired = await plans_api.post("/v1/exercises/single-leg-balance/retire", headers=headers)
    assert retired.status_code == 200
    body = new_protocol(exercises=[{"slug": "single-leg-balance"}])
    response = await plans_api.post("/v1/protocols", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "exercises", 0, "slug"]
    assert "retired" in response.json()["detail"]


async def test_an_exercise_named_twice_is_422(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    exercises = [{"slug": "toe-spreads"}, {"slug": "toe-spreads"}]
    locs = await _refused(plans_api, headers, new_protocol(exercises=exercises))
    assert locs == [["body", "exercises", 1, "slug"]]


async def test_a_clinic_only_exercise_is_not_put_in_the_home_part(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin")
    exercises = [{"slug": "toe-press-downs", "part": "home"}]
    locs = await _refused(plans_api, headers, new_protocol(exercises=exercises))
    assert locs == [["body", "exercises", 0, "part"]]


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"icd10_codes": ["G5"]}, ["body", "icd10_codes", 0]),
        ({"icd10_codes": ["neuroma"]}, ["body", "icd10_codes", 0]),
        (
            {"exercises": [{"slug": "toe-spreads", "dosage": {"sets": 11}}]},
            ["body", "exercises", 0, "dosage", "sets"],
        ),
        (
            {"exercises": [{"slug": "toe-spreads", "dosage": {"reps": 9, "reps_max": 8}}]},
            ["body", "exercises", 0, "dosage", "reps_max"],
        ),
        (
            {"red_flag_criteria": {"pain_at_least": 11}},
            ["body", "red_flag_criteria", "pain_at_least"],
        ),
        ({"default_frequency_per_week": 8}, ["body", "default_frequency_per_week"]),
        (
            {"goal_templates": [{"text": "x", "term": "medium"}]},
            ["body", "goal_templates", 0, "term"],
        ),
        ({"surprise": True}, ["body", "surprise"]),
    ],
)
async def test_bad_protocol_input_is_422_naming_the_field(plans_api, db, apps, change, loc):
    headers = await headers_for(db, apps, "admin")
    assert await _refused(plans_api, headers, new_protocol(**change)) == [loc]


async def test_a_bad_change_keeps_the_protocol(plans_api, db, apps):
    headers = await headers_for(db, apps, "admin") | {"If-Match": "*"}
    url = "/v1/protocols/mortons-neuroma"
    before = (await plans_api.get(url, headers=headers)).json()
    change = {"exercises": [{"slug": "toe-spreads"}, {"slug": "gone"}]}
    response = await plans_api.patch(url, json=change, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "exercises", 1, "slug"]
    assert (await plans_api.get(url, headers=headers)).json() == before
