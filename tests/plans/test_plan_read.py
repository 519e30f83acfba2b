"""Reading a plan: all of it for therapists and admins, its scheduling facts only for the front
desk (matrix row D4), nothing for patients here (their own: 403, another's: 404, exactly as
an id that does not exist). Every read and every refusal is audited."""

import uuid

import pytest
from sqlmodel import select

from services.plans.models import AuditEvent, PlanVisit
from tests.factories import bearer, make_account, make_patient, token_for
from tests.plans.factories import make_plan
from tests.plans.plan_requests import (
    SCHEDULING_FACTS,
    create_plan,
    neuroma_body,
    staff,
    therapist,
)

CLINICAL = ("goals", "exercises", "diagnoses", "education", "staff_note", "patient_note")


async def test_a_therapist_reads_the_whole_plan_with_its_etag(plans_api, db, apps):
    _, headers = await therapist(db, apps)
    patient = await make_patient(db)
    created = await create_plan(plans_api, headers, neuroma_body(patient.id))

    response = await plans_api.get(f"/v1/plans/{created['id']}", headers=headers)

    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == created
    assert response.json()["view"] == "clinical"


async def test_the_front_desk_reads_the_scheduling_facts_and_nothing_clinical(plans_api, db, apps):
    """D4: not a goal, an exercise, a diagnosis or a note, neither as a key nor as text."""
    patient = await make_patient(db)
    plan = await make_plan(
        db,
        patient_id=patient.id,
        completed_visits=3,
        authorization_visits=10,
        goals=[{"id": str(uuid.uuid4()), "text": "Climbs stairs pain-free", "term": "long"}],
    )
    db.add(PlanVisit(appointment_id=uuid.uuid4(), plan_id=plan.id, visit_date=plan.start_date))
    await db.commit()

    response = await plans_api.get(
        f"/v1/plans/{plan.id}", headers=await staff(db, apps, "front_desk")
    )

    assert response.status_code == 200, response.text
    facts = response.json()
    assert set(facts) == SCHEDULING_FACTS
    assert facts["view"] == "scheduling"
    assert (facts["planned_visits"], facts["completed_visits"]) == (12, 3)
    assert facts["authorization"] == {
        "visits": 10,
        "valid_from": None,
        "valid_until": None,
        "visits_left": 9,
    }
    text = response.text.lower()
    for clinical in ("stairs", "toe spreads", "g57.62", "staff only", "go gently", "footwear"):
        assert clinical not in text, clinical
    assert response.headers["etag"] == '"1"'


async def test_the_document_declares_both_reads(apps):
    operation = apps["plans"].openapi()["paths"]["/v1/plans/{plan_id}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    refs = {branch["$ref"].rsplit("/", 1)[1] for branch in schema["anyOf"]}
    assert refs == {"PlanRead", "PlanSchedulingRead"}
    scheduling = apps["plans"].openapi()["components"]["schemas"]["PlanSchedulingRead"]
    assert not set(CLINICAL) & set(scheduling["properties"])


async def test_a_patient_gets_403_for_their_own_plan_and_404_for_anothers(plans_api, db, apps):
    own = await make_patient(db)
    login = await make_account(db, role="patient", patient=own)
    headers = bearer(token_for(apps, login))
    mine = await make_plan(db, patient_id=own.id)
    theirs = await make_plan(db, patient_id=(await make_patient(db)).id)

    own_answer = await plans_api.get(f"/v1/plans/{mine.id}", headers=headers)
    other_answer = await plans_api.get(f"/v1/plans/{theirs.id}", headers=headers)
    nobody = await plans_api.get(f"/v1/plans/{uuid.uuid4()}", headers=headers)

    assert own_answer.status_code == 403
    assert "/v1/me/plans" in own_answer.json()["detail"]
    assert other_answer.status_code == nobody.status_code == 404
    assert other_answer.json() | {"instance": None} == nobody.json() | {"instance": None}
    assert "etag" not in other_answer.headers
    assert str(theirs.patient_id) not in other_answer.text


async def test_reads_and_refusals_are_on_the_trail(plans_api, db, apps):
    patient = await make_patient(db)
    plan = await make_plan(db, patient_id=patient.id)
    reader, headers = await therapist(db, apps)
    outsider = await make_account(db, role="patient")

    await plans_api.get(f"/v1/plans/{plan.id}", headers=headers)
    await plans_api.get(f"/v1/plans/{plan.id}", headers=bearer(token_for(apps, outsider)))

    trail = select(AuditEvent).where(AuditEvent.patient_id == patient.id).order_by(AuditEvent.id)
    rows = (await db.exec(trail)).all()
    assert [(r.action, r.outcome, r.actor_user_id) for r in rows] == [
        ("plan.read", "success", reader.id),
        ("plan.read", "denied", outsider.id),
    ]


@pytest.mark.parametrize("role", ["therapist", "admin"])
async def test_admins_read_plans_as_therapists_do(plans_api, db, apps, role):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    response = await plans_api.get(f"/v1/plans/{plan.id}", headers=await staff(db, apps, role))
    assert response.status_code == 200
    body = response.json()
    assert body["view"] == "clinical" and body["staff_note"].startswith("Staff only")
    assert [e["part"] for e in body["exercises"]].count("clinic") == 1
