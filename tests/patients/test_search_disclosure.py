"""A search discloses every record it returns: each one shows on that patient's audit trail,
linked to the search that returned it."""

from tests.factories import bearer, headers_for, make_account, make_patient, token_for


async def _trail(api, admin, patient_id):
    response = await api.get("/v1/audit", params={"patient_id": str(patient_id)}, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_each_patient_a_search_returns_is_on_their_trail(patients_api, db, apps):
    shown = [await make_patient(db, family_name=f"Disclosed{n}") for n in range(3)]
    hidden = await make_patient(db, family_name="Elsewhere")
    desk = await make_account(db, role="front_desk")
    headers = bearer(token_for(apps, desk)) | {"X-Request-ID": "search-77"}
    page = await patients_api.get("/v1/patients", params={"name": "disclosed"}, headers=headers)
    assert page.status_code == 200
    assert {p["id"] for p in page.json()["items"]} == {str(p.id) for p in shown}

    admin = await headers_for(db, apps, "admin")
    for patient in shown:
        trail = await _trail(patients_api, admin, patient.id)
        (row,) = [e for e in trail if e["action"] == "patient.search"]
        assert (row["outcome"], row["actor_user_id"], row["request_id"]) == (
            "success",
            str(desk.id),
            "search-77",
        )
        assert row["detail"]["search_event_id"] == _summary(await _all(patients_api, admin))
    assert [e["action"] for e in await _trail(patients_api, admin, hidden.id)] == []


async def _all(api, admin):
    response = await api.get("/v1/audit", params={"action": "patient.search"}, headers=admin)
    return response.json()["items"]


def _summary(events):
    """The id of the one row that names the search itself (its filters, its count)."""
    (summary,) = [e for e in events if e["patient_id"] is None]
    assert summary["detail"]["returned"] == 3
    return summary["id"]
