"""What the suite checks of every FHIR answer (docs/fhir.md): it validates against the R4B
models of `fhir.resources` (structure, cardinality, data types, unknown elements), then
checks what that library leaves alone: the codes of the required value sets (below, from the
FHIR R4 specification), the target type of every reference, that a reference into the
Bundle finds its entry, that an extension has a value or sub-extensions but not both (ext-1)
and that no element is sent empty (null, "" or [])."""

from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.reference import Reference
from pydantic import BaseModel

# FHIR R4 (4.0.1) value sets, bound `required` to the elements named.
REQUEST_STATUS = {  # CarePlan.status
    "draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown",
}  # fmt: skip
CARE_PLAN_INTENT = {"proposal", "plan", "order", "option"}  # CarePlan.intent
CARE_PLAN_ACTIVITY_STATUS = {  # CarePlan.activity.detail.status
    "not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
    "unknown", "entered-in-error",
}  # fmt: skip
CARE_PLAN_ACTIVITY_KIND = {  # CarePlan.activity.detail.kind
    "Appointment", "CommunicationRequest", "DeviceRequest", "MedicationRequest",
    "NutritionOrder", "Task", "ServiceRequest", "VisionPrescription",
}  # fmt: skip
GOAL_STATUS = {  # Goal.lifecycleStatus
    "proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled",
    "entered-in-error", "rejected",
}  # fmt: skip
APPOINTMENT_STATUS = {  # Appointment.status
    "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
    "entered-in-error", "checked-in", "waitlist",
}  # fmt: skip
PARTICIPATION_STATUS = {"accepted", "declined", "tentative", "needs-action"}
PARTICIPANT_REQUIRED = {"required", "optional", "information-only"}
BUNDLE_TYPE = {
    "document", "message", "transaction", "transaction-response", "batch", "batch-response",
    "history", "searchset", "collection",
}  # fmt: skip
SEARCH_ENTRY_MODE = {"match", "include", "outcome"}
# Goal.achievementStatus is bound `preferred` (extensible in spirit) to this code system;
# we use only its codes.
GOAL_ACHIEVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-achievement"
GOAL_ACHIEVEMENT = {
    "in-progress", "improving", "worsening", "no-change", "achieved", "sustaining",
    "not-achieved", "no-progress", "not-attainable",
}  # fmt: skip
# The elements each value set above binds, for the test that they agree with the library.
BOUND = {
    ("CarePlan", "status"): REQUEST_STATUS,
    ("CarePlan", "intent"): CARE_PLAN_INTENT,
    ("CarePlanActivityDetail", "status"): CARE_PLAN_ACTIVITY_STATUS,
    ("CarePlanActivityDetail", "kind"): CARE_PLAN_ACTIVITY_KIND,
    ("Goal", "lifecycleStatus"): GOAL_STATUS,
    ("Appointment", "status"): APPOINTMENT_STATUS,
    ("AppointmentParticipant", "status"): PARTICIPATION_STATUS,
    ("AppointmentParticipant", "required"): PARTICIPANT_REQUIRED,
    ("Bundle", "type"): BUNDLE_TYPE,
    ("BundleEntrySearch", "mode"): SEARCH_ENTRY_MODE,
}


def valid_bundle(body: dict[str, Any]) -> Bundle:
    """The Bundle, valid in every way the suite checks (else an assertion fails)."""
    bundle = Bundle.model_validate(body)
    assert body["type"] in BUNDLE_TYPE
    full_urls = {entry["fullUrl"]: entry["resource"] for entry in body.get("entry", [])}
    assert len(full_urls) == len(body.get("entry", [])), "two entries share a fullUrl"
    for entry in body.get("entry", []):
        assert entry.get("search", {}).get("mode", "match") in SEARCH_ENTRY_MODE
        assert entry["fullUrl"].endswith(entry["resource"]["id"])
        assert_codes_in_value_sets(entry["resource"])
    assert_well_formed(body)
    assert_references_fit(bundle, {url: r["resourceType"] for url, r in full_urls.items()})
    return bundle


def valid_appointment(body: dict[str, Any]) -> Appointment:
    appointment = Appointment.model_validate(body)
    assert_codes_in_value_sets(body)
    assert_well_formed(body)
    assert_references_fit(appointment, {})
    return appointment


def assert_codes_in_value_sets(resource: dict[str, Any]) -> None:
    kind = resource["resourceType"]
    if kind == "CarePlan":
        assert resource["status"] in REQUEST_STATUS
        assert resource["intent"] in CARE_PLAN_INTENT
        for activity in resource.get("activity", []):
            assert activity["detail"]["status"] in CARE_PLAN_ACTIVITY_STATUS
            assert activity["detail"].get("kind", "Task") in CARE_PLAN_ACTIVITY_KIND
    if kind == "Goal":
        assert resource["lifecycleStatus"] in GOAL_STATUS
        for coding in resource.get("achievementStatus", {}).get("coding", []):
            assert coding["system"] == GOAL_ACHIEVEMENT_SYSTEM
            assert coding["code"] in GOAL_ACHIEVEMENT
    if kind == "Appointment":
        assert resource["status"] in APPOINTMENT_STATUS
        for participant in resource["participant"]:
            assert participant["status"] in PARTICIPATION_STATUS
            assert participant.get("required", "required") in PARTICIPANT_REQUIRED


def assert_well_formed(element: Any, where: str = "") -> None:
    """No empty element anywhere; every extension has a url and either a value or
    sub-extensions (ext-1)."""
    assert element not in (None, "", [], {}), f"an empty element at {where or 'the root'}"
    if isinstance(element, list):
        for n, item in enumerate(element):
            assert_well_formed(item, f"{where}[{n}]")
    if not isinstance(element, dict):
        return
    for name, value in element.items():
        assert_well_formed(value, f"{where}.{name}")
    for extension in element.get("extension", []):
        values = [name for name in extension if name.startswith("value")]
        assert extension.get("url"), f"an extension without url at {where}"
        assert (len(values) == 1) != ("extension" in extension), f"ext-1 at {where}"


def assert_references_fit(model: BaseModel, in_bundle: dict[str, str]) -> None:
    """Every reference names a type its element allows; one into the Bundle
    (`urn:uuid:`) finds an entry, whose type counts."""
    for allowed, target in references(model):
        if target.startswith("urn:uuid:"):
            assert target in in_bundle, f"{target} is in no entry"
            kind = in_bundle[target]
        else:
            kind, _, _ = target.partition("/")
        assert kind in allowed or "Resource" in allowed, (target, allowed)


def references(model: BaseModel) -> Iterator[tuple[list[str], str]]:
    """The types each Reference's element allows (from the R4B model), and its target."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name, None)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        allowed = extra.get("enum_reference_types")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Reference) and item.reference:
                yield list(allowed or ["Resource"]), item.reference
            elif isinstance(item, BaseModel):
                yield from references(item)


def entries(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["resource"]["resourceType"] == kind]


def in_bundle(bundle: dict[str, Any], pointer: dict[str, Any]) -> dict[str, Any]:
    """The resource a reference into the Bundle points at."""
    (found,) = [e["resource"] for e in bundle["entry"] if e["fullUrl"] == pointer["reference"]]
    return found
