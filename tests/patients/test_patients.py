"""Registering, reading and finding patients over HTTP (the thin slice of issue 2)."""

import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import select

from services.patients.models import Patient
from tests.factories import bearer, headers_for, make_account, make_patient, token_for

NEW_PATIENT = {
    "given_name": "Rosa",
    "family_name": "Delgado",
    "birth_date": "1978-09-30",
    "sex": "female",
    "home_location": "gaithersburg",
    "phone": "(301) 555-0117",
    "email": "Rosa.Delgado@Example.com",
    "diagnoses": [{"code": "g57.62"}],
}


async def test_front_desk_registers_a_patient(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.post("/v1/patients", json=NEW_PATIENT, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["phone"] == "+13015550117"
    assert body["email"] == "rosa.delgado@example.com"
    assert body["diagnoses"] == [{"code": "G57.62", "laterality": "left", "description": None}]
    assert body["status"] == "active" and body["version"] == 1
    stored = await db.get(Patient, uuid.UUID(body["id"]))
    assert stored is not None and stored.family_name == "Delgado"


async def test_registered_patient_reads_back(patients_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    created = (await patients_api.post("/v1/patients", json=NEW_PATIENT, headers=headers)).json()
    read = await patients_api.get(f"/v1/patients/{created['id']}", headers=headers)
    assert read.status_code == 200 and read.json() == created


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": "   "}, "given_name"),
        ({"family_name": "Del\u0000gado"}, "family_name"),
        ({"family_name": "Del\ngado"}, "family_name"),
        ({"birth_date": (date.today() + timedelta(days=1)).isoformat()}, "birth_date"),
        ({"birth_date": "1899-12-31"}, "birth_date"),
        ({"birth_date": "31/12/1980"}, "birth_date"),
        ({"sex": "f"}, "sex"),
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"home_location": "Baltimore!"}, "home_location"),
        ({"home_location": "baltimore"}, "home_location"),
        ({"diagnoses": [{"code": "NEUROMA"}]}, "diagnoses"),
        ({"diagnoses": [{"code": "G57.6"}]}, "diagnoses"),
        ({"diagnoses": [{"code": "G57.64"}]}, "diagnoses"),
        ({"role": "admin"}, "role"),
        ({"id": str(uuid.uuid4())}, "id"),
        ({"status": "archived"}, "status"),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_stores_nothing(
    patients_api, db, apps, change, field
):
    headers = await headers_for(db, apps, "front_desk")
    before = len((await db.exec(select(Patient))).all())
    response = await patients_api.post("/v1/patients", json=NEW_PATIENT | change, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(field in e["loc"] for e in response.json()["errors"]), response.json()
    assert len((await db.exec(select(Patient))).all()) == before


@pytest.mark.parametrize("code", ["G57.60", "G57.61", "G57.62", "G57.63", "M72.2", "M77.40"])
async def test_diagnosis_codes_and_sides(patients_api, db, apps, code):
    headers = await headers_for(db, apps, "front_desk")
    body = NEW_PATIENT | {"diagnoses": [{"code": code}]}
    response = await patients_api.post("/v1/patients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    side = {"0": "unspecified", "1": "right", "2": "left", "3": "bilateral"}
    expected = side[code[-1]] if code.startswith("G57.6") else None
    assert response.json()["diagnoses"][0]["laterality"] == expected


@pytest.mark.parametrize("role", ["patient", "admin"])
async def test_only_front_desk_and_therapists_register_or_search(patients_api, db, apps, role):
    headers = await headers_for(db, apps, role)
    assert (
        await patients_api.post("/v1/patients", json=NEW_PATIENT, headers=headers)
    ).status_code == 403
    assert (await patients_api.get("/v1/patients", headers=headers)).status_code == 403


async def test_anonymous_callers_get_401(patients_api):
    assert (await patients_api.post("/v1/patients", json=NEW_PATIENT)).status_code == 401
    assert (await patients_api.get("/v1/patients")).status_code == 401
    assert (await patients_api.get(f"/v1/patients/{uuid.uuid4()}")).status_code == 401


async def test_a_patient_reads_only_their_own_record(patients_api, db, apps):
    mine = await make_patient(db, family_name="Own")
    theirs = await make_patient(db, family_name="Other")
    token = token_for(apps, await make_account(db, role="patient", patient=mine))
    own = await patients_api.get(f"/v1/patients/{mine.id}", headers=bearer(token))
    assert own.status_code == 200 and own.json()["family_name"] == "Own"
    other = await patients_api.get(f"/v1/patients/{theirs.id}", headers=bearer(token))
    missing = await patients_api.get(f"/v1/patients/{uuid.uuid4()}", headers=bearer(token))
    assert other.status_code == missing.status_code == 404
    # The same answer as for an id that does not exist, and nothing of the other record.
    assert other.json() | {"instance": None} == missing.json() | {"instance": None}
    assert "Other" not in other.text


@pytest.mark.parametrize("bad_id", ["123", "not-a-uuid", "' OR 1=1 --", "x" * 5000])
async def test_malformed_ids_are_422_not_500(patients_api, db, apps, bad_id):
    headers = await headers_for(db, apps, "therapist")
    response = await patients_api.get(f"/v1/patients/{bad_id}", headers=headers)
    assert response.status_code == 422


async def test_search_by_name_prefix_pages_with_a_cursor(patients_api, db, apps):
    for given in ["Ann", "Bea", "Cal", "Dee", "Eve"]:
        await make_patient(db, given_name=given, family_name="Zyzzyva")
    await make_patient(db, given_name="Zed", family_name="Other")
    headers = await headers_for(db, apps, "front_desk")
    seen, cursor = [], None
    for _ in range(5):
        params = {"name": "zyzz", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await patients_api.get("/v1/patients", params=params, headers=headers)).json()
        seen += [p["given_name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Ann", "Bea", "Cal", "Dee", "Eve"]


async def test_search_matches_given_names_and_escapes_wildcards(patients_api, db, apps):
    await make_patient(db, given_name="Quincey", family_name="Adams")
    headers = await headers_for(db, apps, "front_desk")
    found = (
        await patients_api.get("/v1/patients", params={"name": "QUIN"}, headers=headers)
    ).json()
    assert [p["family_name"] for p in found["items"]] == ["Adams"]
    wildcard = (
        await patients_api.get("/v1/patients", params={"name": "%"}, headers=headers)
    ).json()
    assert wildcard["items"] == []


@pytest.mark.parametrize(
    "params",
    [{"limit": 100000}, {"limit": 0}, {"limit": -1}, {"cursor": "garbage!"}, {"status": "deleted"}],
)
async def test_list_parameters_are_bounded(patients_api, db, apps, params):
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.get("/v1/patients", params=params, headers=headers)
    assert response.status_code == 422
