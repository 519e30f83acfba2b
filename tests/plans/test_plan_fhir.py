"""A plan of care as FHIR R4 (`GET /v1/plans/{id}/fhir`): a collection Bundle valid against
the R4B models, its codes in the FHIR value sets (tests/fhir_checks.py), the dosage in the
project's extension, and each reader shown what the JSON reads show them: therapists and
admins the whole plan, the front desk the scheduling facts, a patient their own active or
on-hold plan without goals; another patient's plan answers 404. Every read is audited."""

import uuid

import pytest
from sqlmodel import select

from services.plans.content import Dosage, dosage_in_words
from services.plans.models import AuditEvent
from tests.factories import bearer, make_account, make_patient, token_for
from tests.fhir_checks import entries, in_bundle, valid_bundle
from tests.plans.factories import HOME_DOSAGE, make_plan
from tests.plans.plan_requests import signed_plan, staff

FHIR_JSON = "application/fhir+json"
DOSAGE = "https://clinic.example/fhir/StructureDefinition/exercise-dosage"
ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
CARE_PLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "on_hold": "on-hold",
    "completed": "completed",
    "discontinued": "revoked",
}
ACTIVITY_STATUS = {
    "draft": "not-started",
    "active": "in-progress",
    "on_hold": "on-hold",
    "completed": "completed",
    "discontinued": "stopped",
}
# Our goal status: Goal.lifecycleStatus, and the achievementStatus code if any.
GOAL_STATUS = {
    "not_started": ("accepted", None),
    "in_progress": ("active", "in-progress"),
    "met": ("completed", "achieved"),
    "not_met": ("active", "not-achieved"),
    "discontinued": ("cancelled", None),
}


async def _fhir(api, plan_id, headers):
    return await api.get(f"/v1/plans/{plan_id}/fhir", headers=headers)


def _care_plan(bundle: dict) -> dict:
    (care_plan,) = entries(bundle, "CarePlan")
    assert bundle["entry"][0]["resource"] == care_plan  # the CarePlan first
    return care_plan


def _dosage(activity: dict) -> dict:
    """The dosage extension's parts, by name."""
    (extension,) = activity["detail"]["extension"]
    assert extension["url"] == DOSAGE
    return {
        part["url"]: part.get("valueInteger", part.get("valueCode"))
        for part in extension["extension"]
    }


async def test_a_signed_plan_is_a_valid_r4b_bundle_with_its_etag(plans_api, db, apps):
    plan, headers = await signed_plan(db, apps, plans_api)

    response = await _fhir(plans_api, plan["id"], headers)
    json_read = await plans_api.get(f"/v1/plans/{plan['id']}", headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FHIR_JSON
    assert response.headers["etag"] == json_read.headers["etag"] == '"2"'
    bundle = response.json()
    valid_bundle(bundle)
    assert bundle["type"] == "collection"
    care_plan = _care_plan(bundle)
    assert (care_plan["id"], care_plan["status"], care_plan["intent"]) == (
        plan["id"],
        "active",
        "plan",
    )
    assert care_plan["meta"]["versionId"] == "2"
    assert care_plan["subject"] == {"reference": f"Patient/{plan['patient_id']}"}
    assert care_plan["period"] == {
        "start": plan["certification_start"],
        "end": plan["certification_end"],
    }
    assert care_plan["author"] == {
        "reference": f"Practitioner/{plan['therapist_id']}",
        "display": plan["therapist_name"],
    }


async def test_diagnoses_are_icd_10_cm_conditions_and_goals_are_goals_in_the_bundle(
    plans_api, db, apps
):
    plan, headers = await signed_plan(db, apps, plans_api)

    bundle = (await _fhir(plans_api, plan["id"], headers)).json()

    care_plan = _care_plan(bundle)
    (condition,) = [in_bundle(bundle, pointer) for pointer in care_plan["addresses"]]
    assert condition["code"]["coding"] == [{"system": ICD_10_CM, "code": "G57.62"}]
    assert condition["subject"] == care_plan["subject"]
    goals = [in_bundle(bundle, pointer) for pointer in care_plan["goal"]]
    assert [g["id"] for g in goals] == [g["id"] for g in plan["goals"]]
    assert [g["description"]["text"] for g in goals] == [g["text"] for g in plan["goals"]]
    assert [g["target"][0]["dueDate"] for g in goals] == [g["target_date"] for g in plan["goals"]]
    assert len(bundle["entry"]) == 1 + 1 + len(goals)


async def test_each_exercise_is_an_activity_with_its_dosage_in_words_and_numbers(
    plans_api, db, apps
):
    patient = await make_patient(db)
    plan = await make_plan(db, patient_id=patient.id)

    bundle = (await _fhir(plans_api, plan.id, await staff(db, apps, "therapist"))).json()

    activities = {
        a["detail"]["code"]["coding"][0]["code"]: a for a in _care_plan(bundle)["activity"]
    }
    assert list(activities) == [item["slug"] for item in plan.program]
    toe_spreads = activities["toe-spreads"]
    assert toe_spreads["detail"]["code"]["text"] == "Toe spreads"
    assert toe_spreads["detail"]["description"] == dosage_in_words(HOME_DOSAGE["toe-spreads"])
    assert toe_spreads["detail"]["description"] == (
        "2 sets of 10, hold 5 s, each foot, once a day, 5 days a week"
    )
    assert _dosage(toe_spreads) == {
        "sets": 2,
        "reps": 10,
        "hold-seconds": 5,
        "times-per-day": 1,
        "days-per-week": 5,
        "side": "each",
        "setting": "home",
    }
    assert _dosage(activities["toe-press-downs"]) == {
        "sets": 3,
        "reps": 12,
        "side": "each",
        "setting": "clinic",
    }


async def test_a_range_carries_both_ends(plans_api, db, apps):
    patient = await make_patient(db)
    plan = await make_plan(db, patient_id=patient.id)
    ranged = Dosage(sets=2, sets_max=3, reps=10, reps_max=15, hold_seconds=3, hold_seconds_max=5)
    plan.program = [plan.program[0] | {"dosage": ranged.model_dump(mode="json")}]
    db.add(plan)
    await db.commit()

    bundle = (await _fhir(plans_api, plan.id, await staff(db, apps, "therapist"))).json()

    valid_bundle(bundle)
    (activity,) = _care_plan(bundle)["activity"]
    assert _dosage(activity) == {
        "sets": 2,
        "sets-max": 3,
        "reps": 10,
        "reps-max": 15,
        "hold-seconds": 3,
        "hold-seconds-max": 5,
        "side": "both",
        "setting": "home",
    }
    assert activity["detail"]["description"] == "2-3 sets of 10-15, hold 3-5 s"


@pytest.mark.parametrize("status", list(CARE_PLAN_STATUS))
async def test_every_plan_status_maps_into_the_fhir_value_sets(plans_api, db, apps, status):
    patient = await make_patient(db)
    plan = await make_plan(db, patient_id=patient.id, status=status)

    response = await _fhir(plans_api, plan.id, await staff(db, apps, "admin"))

    assert response.status_code == 200, response.text
    bundle = response.json()
    valid_bundle(bundle)  # the value sets too
    care_plan = _care_plan(bundle)
    assert care_plan["status"] == CARE_PLAN_STATUS[status]
    assert {a["detail"]["status"] for a in care_plan["activity"]} == {ACTIVITY_STATUS[status]}
    assert {a["detail"]["kind"] for a in care_plan["activity"]} == {"ServiceRequest"}


async def test_every_goal_status_maps_into_the_fhir_value_sets(plans_api, db, apps):
    patient = await make_patient(db)
    goals = [
        {"id": str(uuid.uuid4()), "text": f"Goal {status}", "term": term, "status": status}
        for status, term in zip(GOAL_STATUS, ("short", "long") * 3, strict=False)
    ]
    plan = await make_plan(db, patient_id=patient.id, goals=goals)

    bundle = (await _fhir(plans_api, plan.id, await staff(db, apps, "therapist"))).json()

    valid_bundle(bundle)
    found = {g["description"]["text"]: g for g in entries(bundle, "Goal")}
    for status, (lifecycle, achievement) in GOAL_STATUS.items():
        goal = found[f"Goal {status}"]
        assert goal["lifecycleStatus"] == lifecycle, status
        codes = [c["code"] for c in goal.get("achievementStatus", {}).get("coding", [])]
        assert codes == ([achievement] if achievement else []), status
        assert "target" not in goal  # none was given
    assert [g["category"][0]["text"] for g in found.values()][:2] == [
        "Short-term goal",
        "Long-term goal",
    ]


async def test_a_patient_reads_their_own_plan_without_goals_or_notes(plans_api, db, apps):
    own = await make_patient(db)
    login = await make_account(db, role="patient", patient=own)
    plan = await make_plan(db, patient_id=own.id, status="on_hold")

    response = await _fhir(plans_api, plan.id, bearer(token_for(apps, login)))

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    bundle = response.json()
    valid_bundle(bundle)
    assert entries(bundle, "Goal") == []
    care_plan = _care_plan(bundle)
    assert "goal" not in care_plan
    assert len(care_plan["activity"]) == len(plan.program)
    assert len(entries(bundle, "Condition")) == 1
    text = response.text.lower()
    for hidden in ("staff only", "walks 30 minutes", "go gently"):
        assert hidden not in text, hidden


@pytest.mark.parametrize("status", ["draft", "completed", "discontinued"])
async def test_a_patient_gets_404_for_their_own_plan_unless_active_or_on_hold(
    plans_api, db, apps, status
):
    own = await make_patient(db)
    headers = bearer(token_for(apps, await make_account(db, role="patient", patient=own)))
    plan = await make_plan(db, patient_id=own.id, status=status)

    response = await _fhir(plans_api, plan.id, headers)
    nobody = await _fhir(plans_api, uuid.uuid4(), headers)

    assert response.status_code == 404
    assert response.json() | {"instance": None} == nobody.json() | {"instance": None}


async def test_another_patients_plan_answers_as_an_unknown_id(plans_api, db, apps):
    headers = bearer(token_for(apps, await make_account(db, role="patient")))
    theirs = await make_plan(db, patient_id=(await make_patient(db)).id)

    other = await _fhir(plans_api, theirs.id, headers)
    nobody = await _fhir(plans_api, uuid.uuid4(), headers)

    assert other.status_code == nobody.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json() | {"instance": None} == nobody.json() | {"instance": None}
    assert "etag" not in other.headers
    assert str(theirs.patient_id) not in other.text


async def test_the_front_desk_gets_the_care_plan_and_nothing_clinical(plans_api, db, apps):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)

    response = await _fhir(plans_api, plan.id, await staff(db, apps, "front_desk"))

    assert response.status_code == 200, response.text
    bundle = response.json()
    valid_bundle(bundle)
    (entry,) = bundle["entry"]
    care_plan = entry["resource"]
    assert set(care_plan) == {
        "resourceType", "id", "meta", "status", "intent", "subject", "period", "created",
        "author",
    }  # fmt: skip
    text = response.text.lower()
    for clinical in ("toe spreads", "g57.62", "walks 30", "staff only", "go gently", DOSAGE):
        assert clinical not in text, clinical


async def test_reads_and_refusals_are_on_the_trail(plans_api, db, apps):
    patient = await make_patient(db)
    plan = await make_plan(db, patient_id=patient.id)
    reader = await make_account(db, role="therapist")
    desk = await make_account(db, role="front_desk")
    outsider = await make_account(db, role="patient")

    for account in (reader, desk, outsider):
        await _fhir(plans_api, plan.id, bearer(token_for(apps, account)))

    trail = select(AuditEvent).where(AuditEvent.patient_id == patient.id).order_by(AuditEvent.id)
    rows = (await db.exec(trail)).all()
    assert [(r.action, r.outcome, r.actor_user_id) for r in rows] == [
        ("plan.fhir.read", "success", reader.id),
        ("plan.fhir.read", "success", desk.id),
        ("plan.fhir.read", "denied", outsider.id),
    ]
    assert [r.detail.get("view") for r in rows[:2]] == ["clinical", "scheduling"]


def test_the_document_declares_fhir_json_and_the_dosage_extension(apps):
    operation = apps["plans"].openapi()["paths"]["/v1/plans/{plan_id}/fhir"]["get"]
    answer = operation["responses"]["200"]
    assert list(answer["content"]) == [FHIR_JSON]
    schema = answer["content"][FHIR_JSON]["schema"]
    assert schema["properties"]["resourceType"]["enum"] == ["Bundle"]
    assert answer["headers"]["ETag"]["required"] is True
    for name in (DOSAGE, "`sets`", "`reps`", "`hold-seconds`", "`times-per-day`", "`setting`"):
        assert name in answer["description"], name
    assert {"403", "404"} <= set(operation["responses"])
