"""A plan of care as FHIR R4 resources: a `collection` Bundle holding the CarePlan, its
diagnoses as Conditions and its goals as Goals, with the exercises as the CarePlan's
activities and each dosage in the project's extension (docs/fhir.md).

Built from the stored plan as it is, never validated (content.py): what a reader is shown
depends on the view, which mirrors the JSON reads. `clinical` (therapists, admins) is the
whole plan; `patient` is what /v1/me/plans shows (no goals); `scheduling` (the front desk)
is the CarePlan's who, when and status, nothing clinical. No note is ever exported.
"""

import uuid
from typing import Any, Literal

from services.common.fhir import Resource, bundled, reference
from services.plans.content import Dosage, dosage_in_words
from services.plans.models import PlanOfCare

View = Literal["clinical", "patient", "scheduling"]

PROJECT_FHIR = "https://clinic.example/fhir"
DOSAGE_EXTENSION = f"{PROJECT_FHIR}/StructureDefinition/exercise-dosage"
EXERCISE_CODES = f"{PROJECT_FHIR}/CodeSystem/exercise"  # the library's slugs
ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
# The Conditions' ids: the same plan and code always name the same Condition.
CONDITION_IDS = uuid.UUID("5d1f7a40-2b1c-4c7e-9a53-0c2f7d6e8b14")

# Our statuses in the FHIR R4 value sets (request-status, care-plan-activity-status,
# goal-status, goal-achievement); tests/fhir_checks.py holds the value sets.
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
GOAL_LIFECYCLE = {
    "not_started": "accepted",
    "in_progress": "active",
    "met": "completed",
    "not_met": "active",  # judged not met at a report: still worked towards
    "discontinued": "cancelled",
}
GOAL_ACHIEVED = {"in_progress": "in-progress", "met": "achieved", "not_met": "not-achieved"}
TERMS = {"short": "Short-term goal", "long": "Long-term goal"}
# The dosage's numbers, by their names in the extension.
DOSAGE_NUMBERS = {
    "sets": "sets",
    "sets-max": "sets_max",
    "reps": "reps",
    "reps-max": "reps_max",
    "hold-seconds": "hold_seconds",
    "hold-seconds-max": "hold_seconds_max",
    "times-per-day": "times_per_day",
    "days-per-week": "days_per_week",
}


def plan_bundle(plan: PlanOfCare, *, view: View) -> Resource:
    """The plan as this view shows it, in a collection Bundle (the CarePlan first)."""
    with_care = view != "scheduling"  # diagnoses and exercises: not for the front desk
    conditions = [_condition(plan, d) for d in plan.diagnoses or []] if with_care else []
    with_goals = view == "clinical"  # a patient reads no goals (me/schemas.py)
    goals = [_goal(plan, g, n) for n, g in enumerate(plan.goals or [])] if with_goals else []
    care_plan = _care_plan(plan)
    # FHIR has no empty lists: an element is left out rather than sent empty.
    if conditions:
        care_plan["addresses"] = [_pointer(c, c["code"]["text"]) for c in conditions]
    if goals:
        care_plan["goal"] = [_pointer(goal) for goal in goals]
    if with_care and plan.program:
        care_plan["activity"] = [_activity(plan, item) for item in plan.program]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": bundled(r["id"]), "resource": r} for r in [care_plan, *conditions, *goals]
        ],
    }


def _pointer(resource: Resource, display: str | None = None) -> Resource:
    """A reference to a resource carried in the same Bundle."""
    found: Resource = {"reference": bundled(resource["id"])}
    return found | ({"display": display} if display else {})


def _care_plan(plan: PlanOfCare) -> Resource:
    return {
        "resourceType": "CarePlan",
        "id": str(plan.id),
        "meta": {"versionId": str(plan.version), "lastUpdated": plan.updated_at.isoformat()},
        "status": CARE_PLAN_STATUS.get(plan.status, "unknown"),
        "intent": "plan",
        "subject": reference("Patient", plan.patient_id),
        "period": {
            "start": plan.certification_start.isoformat(),
            "end": plan.certification_end.isoformat(),
        },
        "created": plan.created_at.isoformat(),
        "author": reference("Practitioner", plan.therapist_id, plan.therapist_name),
    }


def _condition(plan: PlanOfCare, diagnosis: dict[str, Any]) -> Resource:
    code, display = diagnosis.get("code"), diagnosis.get("display")
    coding = {"system": ICD_10_CM, "code": code} | ({"display": display} if display else {})
    return {
        "resourceType": "Condition",
        "id": str(uuid.uuid5(CONDITION_IDS, f"{plan.id}/{code}")),
        "code": {"coding": [coding], "text": display or code},
        "subject": reference("Patient", plan.patient_id),
    }


def _goal(plan: PlanOfCare, goal: dict[str, Any], position: int) -> Resource:
    status = goal.get("status", "not_started")
    resource: Resource = {
        "resourceType": "Goal",
        # A goal keeps its id across revisions; one stored without (none should be) is
        # named by its place in the plan.
        "id": str(goal.get("id") or uuid.uuid5(plan.id, f"goal/{position}")),
        "lifecycleStatus": GOAL_LIFECYCLE.get(status, "active"),
    }
    if status in GOAL_ACHIEVED:
        coding = {"system": GOAL_ACHIEVEMENT, "code": GOAL_ACHIEVED[status]}
        resource["achievementStatus"] = {"coding": [coding]}
    if goal.get("term") in TERMS:
        resource["category"] = [{"text": TERMS[goal["term"]]}]
    resource |= {
        "description": {"text": goal.get("text")},
        "subject": reference("Patient", plan.patient_id),
    }
    if goal.get("target_date"):
        resource["target"] = [{"dueDate": str(goal["target_date"])}]
    return resource


def _activity(plan: PlanOfCare, item: dict[str, Any]) -> Resource:
    """One exercise of the program: what, its dosage in words, and the dosage's numbers in
    the project's extension. A prescribed exercise is a request for the patient to do it,
    hence the kind."""
    stored = item.get("dosage") or {}
    name = item.get("name")
    coding = {"system": EXERCISE_CODES, "code": item.get("slug"), "display": name}
    return {
        "detail": {
            "extension": [_dosage_extension(stored, item.get("part"))],
            "kind": "ServiceRequest",
            "code": {"coding": [coding], "text": name},
            "status": ACTIVITY_STATUS.get(plan.status, "unknown"),
            "description": dosage_in_words(Dosage.model_construct(**stored)),
        }
    }


def _dosage_extension(stored: dict[str, Any], part: str | None) -> Resource:
    """The dosage as the complex extension docs/fhir.md defines: only what the therapist set."""
    parts: list[Resource] = [
        {"url": name, "valueInteger": stored[field]}
        for name, field in DOSAGE_NUMBERS.items()
        if stored.get(field) is not None
    ]
    parts.append({"url": "side", "valueCode": stored.get("side") or "both"})
    # An item whose part is unknown is done with the therapist (me/service.py)
    parts.append({"url": "setting", "valueCode": "home" if part == "home" else "clinic"})
    return {"url": DOSAGE_EXTENSION, "extension": parts}
