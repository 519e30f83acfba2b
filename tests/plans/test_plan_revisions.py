"""Changing a plan: a draft in place, a signed plan by immutable revisions (matrix rows C5
and E5), with If-Match required; two therapists revising from the same read race for real
and exactly one wins."""

import asyncio
import uuid

import pytest
from sqlmodel import func, select

from services.patients.models import Patient
from services.plans.models import AuditEvent, PlanOfCare, PlanRevision
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

GOAL = {"text": "Stands on one foot 30 s without pain", "term": "short", "target_date": days(21)}


async def test_a_draft_changes_in_place(plans_api, db, apps):
    _, headers = await therapist(db, apps)
    plan = await create_plan(plans_api, headers, neuroma_body((await make_patient(db)).id))

    response = await plans_api.patch(
        f"/v1/plans/{plan['id']}",
        json={"frequency_per_week": 3, "goals": [GOAL]},
        headers=headers | if_match(plan),
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["version"], changed["revision"], changed["planned_visits"]) == (2, 0, 18)
    assert response.headers["etag"] == '"2"'
    assert [g["text"] for g in changed["goals"]] == [GOAL["text"]]
    revisions = await plans_api.get(f"/v1/plans/{plan['id']}/revisions", headers=headers)
    assert revisions.json()["items"] == []


async def test_three_changes_to_a_signed_plan_make_three_revisions(plans_api, db, apps):
    """E5: created (version 1), signed (2, revision 1), then three changes: version 5 and
    revisions 1 to 4, each readable as the whole plan it was."""
    plan, headers = await signed_plan(db, apps, plans_api)
    assert (plan["version"], plan["revision"]) == (2, 1)
    changes = [{"frequency_per_week": 3}, {"goals": [GOAL]}, {"staff_note": "Pad helps."}]
    for change in changes:
        response = await plans_api.patch(
            f"/v1/plans/{plan['id']}", json=change, headers=headers | if_match(plan)
        )
        assert response.status_code == 200, response.text
        plan = response.json()

    assert (plan["version"], plan["revision"]) == (5, 4)
    listed = await plans_api.get(f"/v1/plans/{plan['id']}/revisions", headers=headers)
    items = listed.json()["items"]
    assert [(r["number"], r["kind"], r["plan_version"]) for r in items] == [
        (1, "signed", 2),
        (2, "revised", 3),
        (3, "revised", 4),
        (4, "revised", 5),
    ]
    assert [r["changed_fields"] for r in items[1:]] == [
        ["frequency_per_week"],
        ["goals"],
        ["staff_note"],
    ]
    second = await plans_api.get(f"/v1/plans/{plan['id']}/revisions/2", headers=headers)
    assert second.status_code == 200
    content = second.json()["content"]
    assert (content["frequency_per_week"], content["version"], content["staff_note"]) == (
        3,
        3,
        "Staff only: third web space, left foot.",
    )
    assert [g["term"] for g in content["goals"]] == ["short", "long"]  # before the third change


async def test_revisions_page_with_a_cursor(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    for frequency in (3, 4):
        plan = (
            await plans_api.patch(
                f"/v1/plans/{plan['id']}",
                json={"frequency_per_week": frequency},
                headers=headers | if_match(plan),
            )
        ).json()
    url = f"/v1/plans/{plan['id']}/revisions"
    first = (await plans_api.get(url, params={"limit": 2}, headers=headers)).json()
    rest = await plans_api.get(
        url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
    )
    assert [r["number"] for r in first["items"] + rest.json()["items"]] == [1, 2, 3]
    assert rest.json()["next_cursor"] is None


async def test_changing_the_program_keeps_the_words_it_had(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    exercises = [
        {"slug": "toe-spreads", "sets": 2, "reps": 12},
        {"slug": "toe-press-downs", "sets": 3, "reps": 12, "staff_note": "Start with 5 kg."},
    ]
    response = await plans_api.patch(
        f"/v1/plans/{plan['id']}", json={"exercises": exercises}, headers=headers | if_match(plan)
    )
    assert response.status_code == 200, response.text
    items = {i["slug"]: i for i in response.json()["exercises"]}
    assert (items["toe-spreads"]["sets"], items["toe-spreads"]["part"]) == (2, "home")
    assert items["toe-press-downs"]["part"] == "clinic"
    assert items["toe-press-downs"]["dosage_in_words"] == "3 sets of 12, each foot"


async def test_taking_equipment_away_moves_its_exercises_to_the_clinic(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    response = await plans_api.patch(
        f"/v1/plans/{plan['id']}", json={"home_equipment": []}, headers=headers | if_match(plan)
    )
    assert response.status_code == 200, response.text
    parts = {i["slug"]: i["part"] for i in response.json()["exercises"]}
    assert parts["gastroc-soleus-stretch"] == "clinic"
    revision = await plans_api.get(f"/v1/plans/{plan['id']}/revisions/2", headers=headers)
    assert revision.json()["changed_fields"] == ["home_equipment", "program"]


async def test_if_match_is_required_and_must_be_current(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    url, change = f"/v1/plans/{plan['id']}", {"frequency_per_week": 3}

    missing = await plans_api.patch(url, json=change, headers=headers)
    stale = await plans_api.patch(url, json=change, headers=headers | {"If-Match": '"1"'})

    assert (missing.status_code, stale.status_code) == (428, 412)
    unchanged = (await plans_api.get(url, headers=headers)).json()
    assert (unchanged["version"], unchanged["frequency_per_week"]) == (2, 2)


@pytest.mark.parametrize("status", ["completed", "discontinued"])
async def test_a_closed_plan_no_longer_changes(plans_api, db, apps, status):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id, status=status)
    response = await plans_api.patch(
        f"/v1/plans/{plan.id}",
        json={"frequency_per_week": 3},
        headers=await staff(db, apps, "therapist") | {"If-Match": "*"},
    )
    assert response.status_code == 409


BAD_CHANGES = {
    "certification_end": (days(200), ["body", "certification_end"]),
    "exercises": (
        [{"slug": "toe-press-downs", "part": "home"}],
        ["body", "exercises", "0", "part"],
    ),
    "goals": ([{"text": "", "term": "short"}], ["body", "goals", 0, "text"]),
    "surprise": (1, ["body", "surprise"]),
    "status": ("completed", ["body", "status"]),
}


@pytest.mark.parametrize("field", list(BAD_CHANGES))
async def test_bad_changes_are_422_and_change_nothing(plans_api, db, apps, field):
    plan, headers = await signed_plan(db, apps, plans_api)
    value, location = BAD_CHANGES[field]
    response = await plans_api.patch(
        f"/v1/plans/{plan['id']}", json={field: value}, headers=headers | if_match(plan)
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == location
    again = (await plans_api.get(f"/v1/plans/{plan['id']}", headers=headers)).json()
    assert again == plan


async def test_an_empty_change_is_422(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    response = await plans_api.patch(
        f"/v1/plans/{plan['id']}", json={}, headers=headers | if_match(plan)
    )
    assert response.status_code == 422


async def test_two_therapists_revising_from_the_same_read_one_wins(
    committed_apis, committed_db, apps
):
    """C5 with real concurrent requests, each on its own connection and transaction."""
    api = committed_apis["plans"]
    patient = await make_patient(committed_db, family_name=f"Race-{uuid.uuid4().hex[:6]}")
    plan = await make_plan(committed_db, patient_id=patient.id, revision=0, status="draft")
    first, second = [
        bearer(token_for(apps, await make_account(committed_db, role="therapist")))
        for _ in range(2)
    ]
    signed = await api.post(f"/v1/plans/{plan.id}/activate", headers=first)
    assert signed.status_code == 200, signed.text
    read = signed.json()

    answers = await asyncio.gather(
        *(
            api.patch(
                f"/v1/plans/{plan.id}",
                json={"frequency_per_week": frequency},
                headers=headers | if_match(read),
            )
            for headers, frequency in ((first, 3), (second, 4))
        )
    )

    assert sorted(a.status_code for a in answers) == [200, 412]
    revisions = select(func.count()).where(PlanRevision.plan_id == plan.id)
    assert (await committed_db.exec(revisions)).one() == 2  # signed, and the one winner
    stored = await committed_db.get(PlanOfCare, plan.id, populate_existing=True)
    assert (stored.version, stored.revision) == (3, 2)
    winner = next(a for a in answers if a.status_code == 200).json()
    assert stored.frequency_per_week == winner["frequency_per_week"]


async def test_revisions_are_for_therapists_and_admins(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    patient = await db.get(Patient, uuid.UUID(plan["patient_id"]))
    own_login = await make_account(db, role="patient", patient=patient)
    url = f"/v1/plans/{plan['id']}/revisions"
    assert (await plans_api.get(url, headers=await staff(db, apps, "admin"))).status_code == 200
    assert (
        await plans_api.get(url, headers=await staff(db, apps, "front_desk"))
    ).status_code == 403
    own = await plans_api.get(url + "/1", headers=bearer(token_for(apps, own_login)))
    other = await plans_api.get(url + "/1", headers=await staff(db, apps, "patient"))
    assert (own.status_code, other.status_code) == (403, 404)
    missing = await plans_api.get(url + "/9", headers=headers)
    assert missing.status_code == 404


async def test_reading_revisions_is_audited(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)
    await plans_api.get(f"/v1/plans/{plan['id']}/revisions/1", headers=headers)
    rows = (
        await db.exec(
            select(AuditEvent).where(AuditEvent.entity_id == plan["id"]).order_by(AuditEvent.id)
        )
    ).all()
    assert [r.action for r in rows] == ["plan.create", "plan.activate", "plan.revision.read"]
    assert rows[-1].detail == {"numbers": [1]}


@pytest.mark.parametrize("field", ["diagnoses", "goals"])
async def test_a_signed_plan_keeps_a_diagnosis_and_a_goal(plans_api, db, apps, field):
    """What signing needed stays: emptying it on a signed plan is 422 (a draft may)."""
    plan, headers = await signed_plan(db, apps, plans_api)
    response = await plans_api.patch(
        f"/v1/plans/{plan['id']}", json={field: []}, headers=headers | if_match(plan)
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", field]
