"""If-Match on PATCH /v1/patients/{id} as RFC 9110 has it (issue 6): strong comparison only,
`*` matches any record, a missing one is 428 but only after the caller and the body passed,
and the messages point at the client's own last read, not at an example version."""

import pytest

from tests.factories import bearer, headers_for, make_account, make_patient, token_for


async def _patch(api, patient_id, body, headers):
    return await api.patch(f"/v1/patients/{patient_id}", json=body, headers=headers)


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ('"1"', 200),
        ("*", 200),
        (' "1" ', 200),
        ('"7", "1"', 200),  # a list matches when any strong tag in it matches
        ('W/"1"', 412),  # weak tags never match If-Match
        ('W/"1", "7"', 412),
        ('"7"', 412),
        ("1", 412),
        ('"abc"', 412),
        ('"1', 412),
    ],
)
async def test_if_match_compares_strongly(patients_api, db, apps, if_match, status):
    headers = await headers_for(db, apps, "front_desk")
    patient = await make_patient(db)
    response = await _patch(
        patients_api, patient.id, {"preferred_name": "Mo"}, headers | {"If-Match": if_match}
    )
    assert response.status_code == status, response.text
    if status == 412:
        assert response.json()["type"].endswith("/precondition-failed")


async def test_a_missing_if_match_is_428_and_asks_for_the_last_read_etag(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    patient = await make_patient(db)
    response = await _patch(patients_api, patient.id, {"preferred_name": "Mo"}, headers)
    assert response.status_code == 428
    detail = response.json()["detail"]
    assert "last read" in detail and '"3"' not in detail


async def test_a_malformed_if_match_says_what_to_send(patients_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    patient = await make_patient(db)
    response = await _patch(
        patients_api, patient.id, {"preferred_name": "Mo"}, headers | {"If-Match": "3"}
    )
    assert response.status_code == 412
    detail = response.json()["detail"]
    assert "last read" in detail and '"3"' not in detail


async def test_an_anonymous_caller_hears_401_before_428(patients_api, db):
    patient = await make_patient(db)
    response = await _patch(patients_api, patient.id, {"preferred_name": "Mo"}, {})
    assert response.status_code == 401


@pytest.mark.parametrize("if_match", [None, "garbage", 'W/"1"'])
async def test_a_malformed_body_is_reported_before_the_if_match(patients_api, db, apps, if_match):
    headers = await headers_for(db, apps, "front_desk")
    patient = await make_patient(db)
    extra = {"If-Match": if_match} if if_match else {}
    response = await _patch(patients_api, patient.id, {"sex": "sometimes"}, headers | extra)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "sex"]]


async def test_the_etag_answered_is_the_one_to_send_next(patients_api, db, apps):
    patient = await make_patient(db)
    token = bearer(token_for(apps, await make_account(db, role="patient", patient=patient)))
    read = await patients_api.get(f"/v1/patients/{patient.id}", headers=token)
    first = await _patch(
        patients_api,
        patient.id,
        {"phone": "301-555-0111"},
        token | {"If-Match": read.headers["etag"]},
    )
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    second = await _patch(
        patients_api,
        patient.id,
        {"phone": "301-555-0112"},
        token | {"If-Match": first.headers["etag"]},
    )
    assert second.status_code == 200 and second.json()["version"] == 3
    stale = await _patch(
        patients_api,
        patient.id,
        {"phone": "301-555-0113"},
        token | {"If-Match": first.headers["etag"]},
    )
    assert stale.status_code == 412
    assert "read it again" in stale.json()["detail"]


async def test_archive_takes_an_optional_if_match_compared_strongly(patients_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    patient = await make_patient(db)
    url = f"/v1/patients/{patient.id}/archive"
    weak = await patients_api.post(
        url, json={"reason": "duplicate"}, headers=headers | {"If-Match": 'W/"1"'}
    )
    assert weak.status_code == 412
    strong = await patients_api.post(
        url, json={"reason": "duplicate"}, headers=headers | {"If-Match": '"1"'}
    )
    assert strong.status_code == 200 and strong.headers["etag"] == '"2"'
