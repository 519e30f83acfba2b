"""Error answers come back as exceptions of their status, carrying the problem's members:
status, type, title, detail, the path, the rejected fields, and extension members."""

import uuid

import httpx
import pytest
from clinic_client import (
    BadGateway,
    Conflict,
    Forbidden,
    NotFound,
    ProblemError,
    SessionExpired,
    Unauthorized,
    ValidationFailed,
)
from clinic_client.errors import problem_of
from clinic_client.models import AppointmentCreate, HoursEntry, PatientCreate

from tests.client.conftest import person, signed_in
from tests.factories import make_patient
from tests.scheduling.factories import make_clinic

PROBLEMS = "https://clinic.example/problems/"


def patient(**fields) -> PatientCreate:
    values = {
        "given_name": "Dana",
        "family_name": "Okafor",
        "birth_date": "1978-04-12",
        "sex": "female",
        "home_location": "gaithersburg",
    }
    return PatientCreate(**(values | fields))


async def test_invalid_input_is_validation_failed_naming_each_field(db, open_clinic):
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    with pytest.raises(ValidationFailed) as raised:
        await desk.patients.register(patient(given_name="", phone="no phone at all"))
    problem = raised.value
    assert (problem.status, problem.type) == (422, PROBLEMS + "validation-error")
    assert problem.title == "Invalid input" and problem.instance == "/v1/patients"
    assert {error.field for error in problem.errors} == {"given_name", "phone"}
    assert all(error.loc[0] == "body" and error.msg and error.type for error in problem.errors)
    assert "given_name:" in str(problem) and "phone:" in str(problem)


async def test_a_missing_record_is_not_found_and_a_role_refused_is_forbidden(db, open_clinic):
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as raised:
        await desk.patients.read(missing)
    assert raised.value.type == PROBLEMS + "not-found"
    assert raised.value.instance == f"/v1/patients/{missing}"

    admin = await signed_in(open_clinic(), await person(db, "admin"))
    with pytest.raises(Forbidden) as refused:
        await admin.patients.read((await make_patient(db)).id)
    assert refused.value.status == 403 and refused.value.detail


async def test_not_signed_in_and_wrong_passwords_are_unauthorized(db, open_clinic):
    clinic = open_clinic()
    with pytest.raises(Unauthorized) as anonymous:
        await clinic.users.me()
    assert not isinstance(anonymous.value, SessionExpired)
    account = await person(db, "therapist")
    with pytest.raises(Unauthorized) as wrong:
        await clinic.sign_in(account.email, "not-the-password")
    assert wrong.value.status == 401 and clinic.session is None


async def test_a_clash_is_a_conflict_naming_the_appointment_it_clashes_with(db, open_clinic):
    slug = (await make_clinic(db)).slug
    therapist = await person(db, "therapist")
    admin = await signed_in(open_clinic(), await person(db, "admin"))
    week = [HoursEntry(location=slug, weekday=d, start="07:00", end="19:00") for d in range(7)]
    await admin.therapists.set_hours(therapist.id, week)
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    free = await desk.availability.next("treatment", locations=[slug], therapist_id=therapist.id)
    visit = AppointmentCreate(
        patient_id=(await make_patient(db)).id,
        therapist_id=therapist.id,
        location=slug,
        type="treatment",
        start=free.slots[0].start,
    )
    first = await desk.appointments.book(visit)
    with pytest.raises(Conflict) as clash:
        await desk.appointments.book(visit)
    assert clash.value.extensions["clashes_with"] == str(first.id)
    assert isinstance(clash.value, ProblemError) and clash.value.type == PROBLEMS + "conflict"


def test_an_error_page_without_problem_details_is_raised_by_its_status():
    # A proxy's own page, say, when a service is down: HTML, no problem details.
    request = httpx.Request("GET", "http://clinic.test/v1/plans")
    page = httpx.Response(502, text="<h1>Bad Gateway</h1>", request=request)
    problem = problem_of(page)
    assert isinstance(problem, BadGateway) and problem.status == 502
    assert (problem.title, problem.instance, problem.errors) == ("Bad Gateway", "/v1/plans", ())
