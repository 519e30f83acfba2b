"""Reads serialise what is stored, as stored: a rule tightened after a row was written (a
phone format, a forbidden character, a retired ICD code) must never make that row a 500."""

from tests.factories import headers_for, make_patient

# Values that today's input rules refuse, as an older release may have stored them.
STORED = {
    "given_name": "\u202eArielle",  # a bidi override, refused in names since
    "family_name": "Oldrules",
    "preferred_name": "\u200b",
    "phone": "555-0100 x12",
    "email": "not-an-email",
    "address": {
        "line1": "1 Main St",
        "line2": None,
        "city": "Frederick",
        "state": "Md",
        "postal_code": "217",
    },
    "emergency_contact": {"name": "\u2066Kin", "relationship": None, "phone": "12345"},
    "insurance": {"payer": "Old Payer", "member_id": "A B/C", "group_number": "G#1"},
    "referring_physician": {"name": "Dr. Old", "npi": "123", "phone": "0000"},
    "diagnoses": [{"code": "g57.6", "laterality": None, "description": None}],
}


async def test_a_record_with_values_todays_rules_refuse_still_reads(patients_api, db, apps):
    patient = await make_patient(db, **STORED)
    headers = await headers_for(db, apps, "therapist")
    response = await patients_api.get(f"/v1/patients/{patient.id}", headers=headers)
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in STORED} == STORED


async def test_a_search_page_holding_such_a_record_still_reads(patients_api, db, apps):
    patient = await make_patient(db, **STORED)
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.get("/v1/patients", params={"name": "oldrules"}, headers=headers)
    assert response.status_code == 200, response.text
    (found,) = response.json()["items"]
    assert found["id"] == str(patient.id)
    assert {k: found[k] for k in STORED} == STORED
