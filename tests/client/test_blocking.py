"""The blocking client drives the real services in both URL layouts, as a script would: the
front desk registers and finds patients (walking every page), changes a record under If-Match
and gives a login; the patient signs in and reads her own record; anyone checks the services'
health, which behind the proxy lives under each service's name."""

import uuid

import pytest
from clinic_client import Clinic, NotFound
from clinic_client.models import PatientAccountCreate, PatientCreate, PatientUpdate

from tests.client.conftest import in_thread, person
from tests.factories import PASSWORD

DANA_PASSWORD = "plantar-arch-lift-58"


async def test_a_front_desk_script_and_a_patient_with_the_blocking_client(
    db, open_blocking_clinic, wire
):
    desk_account = await person(db, "front_desk")
    family = f"Blocking-{uuid.uuid4().hex[:6]}"

    def front_desk(clinic: Clinic) -> uuid.UUID:
        clinic.sign_in(desk_account.email, PASSWORD)
        registered = [clinic.patients.register(_patient(family, given)) for given in "ABC"]
        found = list(clinic.patients.search(family, page_size=1))
        assert sorted(p.id for p in found) == sorted(p.id for p in registered)
        dana = registered[0]
        changed = clinic.patients.update(
            dana.id, PatientUpdate(email="dana@example.com"), if_match=dana.version
        )
        assert changed.email == "dana@example.com" and changed.version == dana.version + 1
        with pytest.raises(NotFound):
            clinic.patients.read(uuid.uuid4())
        login = PatientAccountCreate(email="dana@example.com", password=DANA_PASSWORD)
        clinic.patients.create_login(dana.id, login)
        return dana.id

    dana_id = await in_thread(front_desk, open_blocking_clinic())
    searches = wire.sent_to("GET", "/v1/patients")
    # Three pages of one, each asked for with the cursor the page before gave.
    assert [r.url.params["limit"] for r in searches] == ["1", "1", "1"]
    assert [("cursor" in r.url.params) for r in searches] == [False, True, True]

    def patient(clinic: Clinic) -> None:
        clinic.sign_in("dana@example.com", DANA_PASSWORD)
        assert clinic.users.me().patient_id == dana_id
        assert clinic.patients.read(dana_id).email == "dana@example.com"
        assert clinic.services.plans_health().status == "ok"
        assert clinic.services.scheduling_readiness().database == "ok"

    await in_thread(patient, open_blocking_clinic())


def _patient(family: str, given: str) -> PatientCreate:
    return PatientCreate(
        given_name=given,
        family_name=family,
        birth_date="1980-01-0" + str("ABC".index(given) + 1),
        sex="female",
        home_location="gaithersburg",
    )
