"""Names and other identity texts: no characters that reorder or hide what a reader sees
(bidi controls, zero-width characters), no name made only of invisible characters; stored in
NFC so that the same name typed on two keyboards is the same string."""

import unicodedata

import pytest

from tests.factories import headers_for, make_patient

BASE = {
    "given_name": "Ana",
    "family_name": "Lima",
    "birth_date": "1981-08-08",
    "sex": "female",
    "home_location": "gaithersburg",
}
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
MARKS = ["\u200e", "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
# Each of these shows as nothing at all (or as a space) on its own.
INVISIBLE_ONLY = ["\u3164", "\u2800", "\u115f\u1160", "\u0301", "\u00ad", "\u3000\u2003"]


async def _register(api, headers, **changes):
    return await api.post("/v1/patients", json=BASE | changes, headers=headers)


@pytest.mark.parametrize("char", BIDI + MARKS + ZERO_WIDTH, ids=lambda c: f"U+{ord(c):04X}")
async def test_names_refuse_direction_and_zero_width_characters(patients_api, db, apps, char):
    headers = await headers_for(db, apps, "front_desk")
    response = await _register(patients_api, headers, family_name=f"Lima{char}Evil")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", "family_name"]
    assert f"U+{ord(char):04X}" in error["msg"]


@pytest.mark.parametrize("name", INVISIBLE_ONLY, ids=lambda n: "+".join(f"{ord(c):04X}" for c in n))
async def test_a_name_of_invisible_characters_only_is_refused(patients_api, db, apps, name):
    headers = await headers_for(db, apps, "front_desk")
    response = await _register(patients_api, headers, given_name=name)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "given_name"]]


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("preferred_name", {"preferred_name": "Bo\u202eb"}),
        (
            "emergency_contact.name",
            {"emergency_contact": {"name": "\u200b", "phone": "+13015550111"}},
        ),
        (
            "emergency_contact.relationship",
            {
                "emergency_contact": {
                    "name": "Kim",
                    "relationship": "so\u2067n",
                    "phone": "+13015550111",
                }
            },
        ),
        ("referring_physician.name", {"referring_physician": {"name": "Dr.\u200d House"}}),
        ("insurance.payer", {"insurance": {"payer": "\ufeffAetna", "member_id": "A1"}}),
    ],
)
async def test_other_identity_texts_refuse_them_too(patients_api, db, apps, field, body):
    headers = await headers_for(db, apps, "front_desk")
    response = await _register(patients_api, headers, **body)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", *field.split(".")]]


async def test_a_change_refuses_them_as_registration_does(patients_api, db, apps):
    patient = await make_patient(db)
    headers = await headers_for(db, apps, "therapist")
    response = await patients_api.patch(
        f"/v1/patients/{patient.id}",
        json={"given_name": "\u2068Maria"},
        headers=headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "given_name"]]


async def test_a_staff_display_name_refuses_them(patients_api, db, apps):
    admin = await headers_for(db, apps, "admin")
    body = {
        "email": "hidden@clinic.example",
        "display_name": "\u200b\u200b",
        "role": "therapist",
        "password": "a-long-enough-passphrase-42",
    }
    response = await patients_api.post("/v1/users", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "display_name"]]


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("José", "Nuñez-Quayle"),
        ("Seán", "O'Brien"),
        ("Thị", "Nguyễn"),
        ("小龍", "李"),
        ("Zoë", "Ða"),
    ],
)
async def test_real_names_pass(patients_api, db, apps, given, family):
    headers = await headers_for(db, apps, "front_desk")
    response = await _register(patients_api, headers, given_name=given, family_name=family)
    assert response.status_code == 201, response.text
    assert (response.json()["given_name"], response.json()["family_name"]) == (given, family)


async def test_names_are_stored_composed(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert decomposed != "Nguyễn"
    response = await _register(
        patients_api, headers, family_name=decomposed, given_name="Jose\u0301"
    )
    assert response.status_code == 201, response.text
    assert (response.json()["given_name"], response.json()["family_name"]) == ("José", "Nguyễn")
    found = await patients_api.get("/v1/patients", params={"name": "nguyen jose"}, headers=headers)
    assert [p["id"] for p in found.json()["items"]] == [response.json()["id"]]
