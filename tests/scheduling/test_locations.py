"""The three clinics and the appointment types, read over HTTP."""

from tests.factories import headers_for


async def test_the_three_maryland_clinics(scheduling_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    response = await scheduling_api.get("/v1/locations", headers=headers)
    assert response.status_code == 200
    clinics = {c["slug"]: c for c in response.json()["items"]}
    assert set(clinics) == {"gaithersburg", "frederick", "columbia"}
    assert {c["time_zone"] for c in clinics.values()} == {"America/New_York"}
    assert {c["state"] for c in clinics.values()} == {"MD"}
    assert all(c["opening_hours"] and c["rooms"] for c in clinics.values())


async def test_one_clinic_by_slug(scheduling_api, db, apps):
    headers = await headers_for(db, apps, "patient")
    found = await scheduling_api.get("/v1/locations/frederick", headers=headers)
    assert found.status_code == 200 and found.json()["city"] == "Frederick"
    missing = await scheduling_api.get("/v1/locations/baltimore", headers=headers)
    assert (
        missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    )


async def test_appointment_types_with_their_lengths_and_codes(scheduling_api, db, apps):
    headers = await headers_for(db, apps, "front_desk")
    items = (await scheduling_api.get("/v1/appointment-types", headers=headers)).json()["items"]
    kinds = {t["slug"]: (t["duration_minutes"], t["procedure_code"]) for t in items}
    assert kinds == {
        "evaluation": (60, "97162"),
        "treatment": (45, "97110"),
        "re-evaluation": (45, "97164"),
    }


async def test_locations_need_a_token(scheduling_api):
    assert (await scheduling_api.get("/v1/locations")).status_code == 401
