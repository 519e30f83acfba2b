"""The full patient record: contact details, optimistic concurrency, archiving."""

import uuid

import pytest
from sqlmodel import select

from services.patients.models import Patient
from tests.factories import bearer, headers_for, make_account, make_patient, token_for

FULL_RECORD = {
    "given_name": "Tomás",
    "family_name": "Ibáñez",
    "preferred_name": "Tom",
    "birth_date": "1985-04-12",
    "sex": "male",
    "home_location": "frederick",
    "phone": "240-555-0142",
    "email": "tomas@example.com",
    "address": {
        "line1": "12 Market St",
        "city": "Frederick",
        "state": "MD",
        "postal_code": "21701",
    },
    "emergency_contact": {
        "name": "Ana Ibáñez",
        "relationship": "spouse",
        "phone": "+1 301 555 0188",
    },
    "insurance": {
        "payer": "CareFirst BlueCross",
        "member_id": "XKM123456789",
        "group_number": "G-100",
    },
    "referring_physician": {"name": "Dr. Lena Park", "npi": "1234567893"},
    "diagnoses": [{"code": "G57.61", "description": "Morton's neuroma, right foot"}],
}


async def register(api, headers, body=FULL_RECORD):
    response = await api.post("/v1/patients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response


async def test_the_full_record_round_trips(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    created = await register(patients_api, headers)
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/v1/patients/{created.json()['id']}"
    body = created.json()
    assert body["emergency_contact"]["phone"] == "+13015550188"
    assert body["insurance"]["member_id"] == "XKM123456789"
    assert body["diagnoses"][0]["laterality"] == "right"
    read = await patients_api.get(f"/v1/patients/{body['id']}", headers=headers)
    assert read.json() == body and read.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    "change",
    [
        {"address": {"line1": "x", "city": "y", "state": "Maryland", "postal_code": "21701"}},
        {"address": {"line1": "x", "city": "y", "state": "MD", "postal_code": "2170"}},
        {
            "address": {
                "line1": "x",
                "city": "y",
                "state": "MD",
                "postal_code": "21701",
                "country": "US",
            }
        },
        {"emergency_contact": {"name": "A", "phone": "555"}},
        {"insurance": {"payer": "X", "member_id": "has spaces"}},
        {"referring_physician": {"name": "Dr X", "npi": "12345"}},
    ],
)
async def test_nested_parts_are_validated(patients_api, db, apps, change):
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.post("/v1/patients", json=FULL_RECORD | change, headers=headers)
    assert response.status_code == 422, response.text


# -- PATCH with If-Match ---------------------------------------------------------------------


async def test_patch_with_the_current_etag_changes_and_bumps_the_version(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    patient_id = (await register(patients_api, headers)).json()["id"]
    response = await patients_api.patch(
        f"/v1/patients/{patient_id}",
        json={"phone": "(301) 555-0100", "preferred_name": None},
        headers=headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert (body["phone"], body["preferred_name"], body["version"]) == ("+13015550100", None, 2)
    assert body["family_name"] == "Ibáñez"


async def test_patch_with_a_stale_etag_is_412_and_changes_nothing(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    patient_id = (await register(patients_api, headers)).json()["id"]
    first = await patients_api.patch(
        f"/v1/patients/{patient_id}",
        json={"phone": "301-555-0101"},
        headers=headers | {"If-Match": '"1"'},
    )
    assert first.status_code == 200
    stale = await patients_api.patch(
        f"/v1/patients/{patient_id}",
        json={"phone": "301-555-0199"},
        headers=headers | {"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    now = (await patients_api.get(f"/v1/patients/{patient_id}", headers=headers)).json()
    assert (now["phone"], now["version"]) == ("+13015550101", 2)


@pytest.mark.parametrize(
    ("if_match", "status"), [(None, 428), ('"abc"', 412), ("3", 412), ("*", 200)]
)
async def test_if_match_is_required_and_checked(patients_api, db, apps, if_match, status):
    headers = await headers_for(db, apps, "therapist")
    patient_id = (await register(patients_api, headers)).json()["id"]
    extra = {"If-Match": if_match} if if_match else {}
    response = await patients_api.patch(
        f"/v1/patients/{patient_id}", json={"preferred_name": "T"}, headers=headers | extra
    )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"given_name": None},
        {"birth_date": None},
        {"diagnoses": None},
        {"home_location": "nowhere"},
        {"version": 7},
        {"id": "x"},
    ],
)
async def test_bad_patches_are_422(patients_api, db, apps, body):
    headers = await headers_for(db, apps, "front_desk")
    patient_id = (await register(patients_api, headers)).json()["id"]
    response = await patients_api.patch(
        f"/v1/patients/{patient_id}", json=body, headers=headers | {"If-Match": '"1"'}
    )
    assert response.status_code == 422, response.text
    patient = await db.get(Patient, uuid.UUID(patient_id))
    await db.refresh(patient)
    assert patient.version == 1


async def test_a_name_change_keeps_search_working(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    patient_id = (await register(patients_api, headers)).json()["id"]
    await patients_api.patch(
        f"/v1/patients/{patient_id}",
        json={"family_name": "Østergård"},
        headers=headers | {"If-Match": '"1"'},
    )
    found = await patients_api.get("/v1/patients", params={"name": "ostergard"}, headers=headers)
    assert [p["id"] for p in found.json()["items"]] == [patient_id]


async def test_patients_change_their_own_contact_details_only(patients_api, db, apps):
    patient = await make_patient(db)
    token = bearer(token_for(apps, await make_account(db, role="patient", patient=patient)))
    url = f"/v1/patients/{patient.id}"
    ok = await patients_api.patch(
        url,
        json={"email": "New@Example.com", "address": FULL_RECORD["address"]},
        headers=token | {"If-Match": '"1"'},
    )
    assert ok.status_code == 200 and ok.json()["email"] == "new@example.com"
    refused = await patients_api.patch(
        url, json={"family_name": "Hacker"}, headers=token | {"If-Match": '"2"'}
    )
    assert refused.status_code == 403
    other = await make_patient(db)
    probe = await patients_api.patch(
        f"/v1/patients/{other.id}",
        json={"phone": "301-555-0123"},
        headers=token | {"If-Match": "*"},
    )
    assert probe.status_code == 404


# -- archive ---------------------------------------------------------------------------------


async def test_archive_hides_from_search_and_freezes_the_record(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    patient = await make_patient(db, family_name="Archivable")
    url = f"/v1/patients/{patient.id}"
    archived = await patients_api.post(
        f"{url}/archive", json={"reason": "moved to Ohio"}, headers=headers
    )
    assert archived.status_code == 200, archived.text
    body = archived.json()
    assert (body["status"], body["archive_reason"], body["version"]) == (
        "archived",
        "moved to Ohio",
        2,
    )
    assert body["archived_at"] is not None

    default = await patients_api.get("/v1/patients", params={"name": "archivable"}, headers=headers)
    assert default.json()["items"] == []
    asked = await patients_api.get(
        "/v1/patients", params={"name": "archivable", "status": "archived"}, headers=headers
    )
    assert [p["id"] for p in asked.json()["items"]] == [str(patient.id)]
    assert (await patients_api.get(url, headers=headers)).status_code == 200
    frozen = await patients_api.patch(
        url, json={"phone": "301-555-0123"}, headers=headers | {"If-Match": "*"}
    )
    assert frozen.status_code == 409
    again = await patients_api.post(f"{url}/archive", json={"reason": "again"}, headers=headers)
    assert again.status_code == 409


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 501}])
async def test_archive_needs_a_reason(patients_api, db, apps, body):
    headers = await headers_for(db, apps, "therapist")
    patient = await make_patient(db)
    response = await patients_api.post(
        f"/v1/patients/{patient.id}/archive", json=body, headers=headers
    )
    assert response.status_code == 422
    rows = (await db.exec(select(Patient).where(Patient.id == patient.id))).all()
    assert rows[0].status == "active"


async def test_archive_honours_if_match_when_sent(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    patient = await make_patient(db)
    response = await patients_api.post(
        f"/v1/patients/{patient.id}/archive",
        json={"reason": "duplicate record"},
        headers=headers | {"If-Match": '"9"'},
    )
    assert response.status_code == 412


async def test_patch_replaces_the_diagnoses_and_an_empty_list_clears_them(patients_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    patient_id = (await register(patients_api, headers)).json()["id"]
    url = f"/v1/patients/{patient_id}"
    both = await patients_api.patch(
        url,
        json={"diagnoses": [{"code": "g57.63"}], "email": "T@Example.COM"},
        headers=headers | {"If-Match": '"1"'},
    )
    assert both.status_code == 200, both.text
    assert both.json()["diagnoses"] == [
        {"code": "G57.63", "laterality": "bilateral", "description": None}
    ]
    assert both.json()["email"] == "t@example.com"
    cleared = await patients_api.patch(
        url, json={"diagnoses": []}, headers=headers | {"If-Match": '"2"'}
    )
    assert cleared.status_code == 200 and cleared.json()["diagnoses"] == []
