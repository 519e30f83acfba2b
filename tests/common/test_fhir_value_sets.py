"""The FHIR checks of tests/fhir_checks.py check something: the value sets written there from
the FHIR R4 specification are the codes the R4B models list (and do not enforce), and a
wrong code, a reference to a type its element does not allow and an extension with both a
value and sub-extensions are each caught."""

import pytest
from fhir.resources.R4B.appointment import Appointment, AppointmentParticipant
from fhir.resources.R4B.bundle import Bundle, BundleEntrySearch
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivityDetail
from fhir.resources.R4B.goal import Goal

from tests.fhir_checks import BOUND, valid_appointment, valid_bundle

MODELS = {
    model.__name__: model
    for model in (
        Appointment, AppointmentParticipant, Bundle, BundleEntrySearch, CarePlan,
        CarePlanActivityDetail, Goal,
    )
}  # fmt: skip
APPOINTMENT = {
    "resourceType": "Appointment",
    "id": "a1",
    "status": "booked",
    "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}],
}


@pytest.mark.parametrize(("model", "element"), list(BOUND))
def test_each_value_set_is_the_one_the_r4b_model_names(model, element):
    extra = MODELS[model].model_fields[element].json_schema_extra
    assert set(extra["enum_values"]) == BOUND[model, element]


def test_the_library_takes_a_code_outside_the_value_set_and_our_check_does_not():
    wrong = APPOINTMENT | {"status": "checked_in"}
    Appointment.model_validate(wrong)  # accepted: the reason for our own check
    with pytest.raises(AssertionError):
        valid_appointment(wrong)
    valid_appointment(APPOINTMENT)


def test_a_reference_to_a_type_the_element_does_not_take_is_caught():
    # R4 takes only a ServiceRequest in Appointment.basedOn.
    with pytest.raises(AssertionError):
        valid_appointment(APPOINTMENT | {"basedOn": [{"reference": "CarePlan/c1"}]})


def test_an_extension_with_a_value_and_sub_extensions_is_caught():
    extension = {"url": "https://x.example", "valueInteger": 1, "extension": [{"url": "a"}]}
    with pytest.raises(AssertionError):
        valid_appointment(APPOINTMENT | {"extension": [extension]})


def test_a_pointer_into_the_bundle_must_find_its_entry():
    care_plan = {
        "resourceType": "CarePlan",
        "id": "c1",
        "status": "active",
        "intent": "plan",
        "subject": {"reference": "Patient/p1"},
        "goal": [{"reference": "urn:uuid:not-there"}],
    }
    bundle = {"resourceType": "Bundle", "type": "collection"}
    with pytest.raises(AssertionError, match="in no entry"):
        valid_bundle(bundle | {"entry": [{"fullUrl": "urn:uuid:c1", "resource": care_plan}]})
