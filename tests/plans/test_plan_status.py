"""The status machine (draft -> active -> on_hold <-> active -> completed | discontinued) and
recertification, over HTTP. A move not allowed from the current status is a 409 that says
which moves are; every move of a signed plan is a revision."""

import uuid

import pytest
from sqlmodel import select

from services.plans.models import AuditEvent, PlanOfCare
from tests.factories import bearer, make_account, make_patient, token_for
from tests.plans.factories import make_plan
from tests.plans.plan_requests import (
    create_plan,
    days,
    if_match,
    neuroma_body,
    signed_plan,
    staff,
    therapist,
)


async def move(api, plan: dict, name: str, headers: dict, **kw):
    return await api.post(f"/v1/plans/{plan['id']}/{name}", headers=headers, **kw)


async def test_signing_records_who_and_when_as_revision_1(plans_api, db, apps):
    account, headers = await therapist(db, apps)
    plan = await create_plan(plans_api, headers, neuroma_body((await make_patient(db)).id))

    response = await move(plans_api, plan, "activate", headers | if_match(plan))

    assert response.status_code == 200, response.text
    signed = response.json()
    assert (signed["status"], signed["signed_by"], signed["revision"]) == (
        "active",
        str(account.id),
        1,
    )
    assert signed["signed_at"] is not None and response.headers["etag"] == '"2"'
    first = (await plans_api.get(f"/v1/plans/{plan['id']}/revisions/1", headers=headers)).json()
    assert (first["kind"], first["changed_by"]) == ("signed", str(account.id))
    assert first["content"]["status"] == "active"


@pytest.mark.parametrize(
    ("missing", "change"),
    [("diagnoses", {"diagnoses": []}), ("goals", {"goals": []})],
)
async def test_signing_needs_diagnoses_and_a_goal(plans_api, db, apps, missing, change):
    _, headers = await therapist(db, apps)
    body = neuroma_body((await make_patient(db)).id, **change)
    plan = await create_plan(plans_api, headers, body)

    response = await move(plans_api, plan, "activate", headers)

    assert response.status_code == 409, response.text
    assert response.json()["missing"] == [missing]
    still = (await plans_api.get(f"/v1/plans/{plan['id']}", headers=headers)).json()
    assert (still["status"], still["version"]) == ("draft", 1)


async def test_the_whole_life_of_a_plan(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)

    held = await move(plans_api, plan, "hold", headers, json={"reason": "Travelling 2 weeks"})
    resumed = await move(plans_api, plan, "resume", headers)
    done = await move(plans_api, plan, "complete", headers)

    assert [r.status_code for r in (held, resumed, done)] == [200, 200, 200]
    assert held.json()["status_reason"] == "Travelling 2 weeks"
    assert (done.json()["status"], done.json()["version"], done.json()["revision"]) == (
        "completed",
        5,
        4,
    )
    listed = (await plans_api.get(f"/v1/plans/{plan['id']}/revisions", headers=headers)).json()
    assert [(r["kind"], r["changed_fields"]) for r in listed["items"]] == [
        ("signed", ["signed_at", "signed_by", "status", "status_reason"]),
        ("status", ["status", "status_reason"]),
        ("status", ["status", "status_reason"]),
        ("status", ["status", "status_reason"]),
    ]
    assert listed["items"][1]["summary"] == "Put on hold: Travelling 2 weeks"


async def test_discontinuing_needs_a_reason(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    without = await move(plans_api, plan, "discontinue", headers, json={})
    with_reason = await move(
        plans_api, plan, "discontinue", headers, json={"reason": "Referred for injection"}
    )
    assert without.status_code == 422
    assert with_reason.status_code == 200
    assert with_reason.json()["status_reason"] == "Referred for injection"


REFUSED = {
    ("draft", "hold"): ["activate"],
    ("draft", "complete"): ["activate"],
    ("active", "activate"): ["hold", "complete", "discontinue"],
    ("active", "resume"): ["hold", "complete", "discontinue"],
    ("on_hold", "hold"): ["resume", "complete", "discontinue"],
    ("completed", "resume"): [],
    ("discontinued", "activate"): [],
}


@pytest.mark.parametrize(("status", "name"), list(REFUSED))
async def test_a_move_not_allowed_is_409_naming_the_allowed_ones(plans_api, db, apps, status, name):
    plan = await make_plan(
        db,
        patient_id=(await make_patient(db)).id,
        status=status,
        status_reason="x" if status == "discontinued" else None,
    )
    body = {"reason": "Because"} if name == "discontinue" else None
    response = await plans_api.post(
        f"/v1/plans/{plan.id}/{name}", json=body, headers=await staff(db, apps, "therapist")
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert (problem["current_status"], problem["allowed_moves"]) == (status, REFUSED[status, name])
    for allowed in REFUSED[status, name]:
        assert allowed in problem["detail"]


async def test_a_stale_if_match_on_a_move_is_412(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    response = await move(plans_api, plan, "hold", headers | {"If-Match": '"1"'})
    assert response.status_code == 412


async def test_recertifying_opens_the_next_period_as_a_revision(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    admin = await staff(db, apps, "admin")

    response = await move(plans_api, plan, "recertify", admin)

    assert response.status_code == 200, response.text
    again = response.json()
    assert again["certification_start"] == days(43)  # the day after six weeks
    assert again["certification_end"] == days(43 + 42)
    assert again["signed_by"] != plan["signed_by"] and again["revision"] == 2
    revision = (await plans_api.get(f"/v1/plans/{plan['id']}/revisions/2", headers=headers)).json()
    assert revision["kind"] == "recertified"
    assert revision["changed_fields"] == [
        "certification_end",
        "certification_start",
        "signed_at",
        "signed_by",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"certification_start": days(50), "certification_end": days(141)}, "certification_end"),
        ({"certification_start": days(50), "certification_end": days(49)}, "certification_end"),
        ({"certification_start": days(0)}, "certification_start"),
        ({"certification_start": "tomorrow"}, "certification_start"),
    ],
)
async def test_a_bad_new_period_is_422(plans_api, db, apps, body, field):
    plan, headers = await signed_plan(db, apps, plans_api)
    response = await move(plans_api, plan, "recertify", headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", field]


async def test_only_active_or_held_plans_are_recertified(plans_api, db, apps):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id, status="draft")
    response = await plans_api.post(
        f"/v1/plans/{plan.id}/recertify", headers=await staff(db, apps, "therapist")
    )
    assert response.status_code == 409


async def test_moves_are_for_therapists_and_admins_only(plans_api, db, apps):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    desk = await plans_api.post(
        f"/v1/plans/{plan.id}/hold", headers=await staff(db, apps, "front_desk")
    )
    assert desk.status_code == 403


async def test_moves_are_audited(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    await move(plans_api, plan, "hold", headers)
    await move(plans_api, plan, "activate", headers)  # refused: 409, nothing kept
    rows = (
        await db.exec(
            select(AuditEvent).where(AuditEvent.entity_id == plan["id"]).order_by(AuditEvent.id)
        )
    ).all()
    assert [r.action for r in rows] == ["plan.create", "plan.activate", "plan.hold"]


WRITES = [
    ("PATCH", "", {"frequency_per_week": 3}),
    ("POST", "/hold", None),
    ("POST", "/discontinue", {"reason": "Moved away"}),
    ("POST", "/recertify", None),
    ("GET", "/revisions", None),
]


@pytest.mark.parametrize(("method", "tail", "body"), WRITES)
async def test_a_patient_reaches_no_plan_here(plans_api, db, apps, method, tail, body):
    """D1: another patient's plan answers 404, like an id that does not exist; their own,
    403. Nothing changes."""
    own = await make_patient(db)
    login = bearer(token_for(apps, await make_account(db, role="patient", patient=own)))
    mine = await make_plan(db, patient_id=own.id)
    theirs = await make_plan(db, patient_id=(await make_patient(db)).id)
    headers = login | {"If-Match": "*"}

    answers = [
        await plans_api.request(method, f"/v1/plans/{plan}{tail}", json=body, headers=headers)
        for plan in (mine.id, theirs.id, uuid.uuid4())
    ]

    assert [a.status_code for a in answers] == [403, 404, 404]
    assert answers[1].json() | {"instance": None} == answers[2].json() | {"instance": None}
    stored = await db.get(PlanOfCare, theirs.id, populate_existing=True)
    assert (stored.version, stored.status) == (1, "active")
