"""The kinds of visit: read by everyone, with their procedure codes; added and changed by
admins, a change only with the ETag of the version read (If-Match)."""

import pytest

from tests.factories import headers_for

NEW_KIND = {
    "slug": "dry-needling",
    "name": "Dry needling",
    "duration_minutes": 30,
    "procedure_code": "20560",
    "alternative_codes": ["20561"],
}


async def test_the_evaluation_keeps_its_usual_code_and_the_others(scheduling_api, apps, db):
    headers = await headers_for(db, apps, "patient")
    response = await scheduling_api.get("/v1/appointment-types/evaluation", headers=headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    kind = response.json()
    assert (kind["duration_minutes"], kind["procedure_code"]) == (60, "97162")
    assert kind["alternative_codes"] == ["97161", "97163"]


async def test_an_admin_changes_a_kind_with_the_etag_read(scheduling_api, apps, db):
    admin = await headers_for(db, apps, "admin")
    url = "/v1/appointment-types/treatment"
    changed = await scheduling_api.patch(
        url, json={"duration_minutes": 50}, headers=admin | {"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["duration_minutes"], changed.headers["ETag"]) == (50, '"2"')
    stale = await scheduling_api.patch(
        url, json={"duration_minutes": 30}, headers=admin | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    blind = await scheduling_api.patch(url, json={"duration_minutes": 30}, headers=admin)
    assert blind.status_code == 428
    assert (await scheduling_api.get(url, headers=admin)).json()["duration_minutes"] == 50


async def test_a_new_length_is_what_availability_offers(scheduling_api, apps, db):
    admin = await headers_for(db, apps, "admin")
    await scheduling_api.patch(
        "/v1/appointment-types/re-evaluation",
        json={"duration_minutes": 90},
        headers=admin | {"If-Match": "*"},
    )
    params = {"location": "frederick", "type": "re-evaluation", "from": "2026-12-07"}
    response = await scheduling_api.get(
        "/v1/availability", params=params | {"to": "2026-12-07"}, headers=admin
    )
    assert response.json()["duration_minutes"] == 90


async def test_an_admin_adds_a_kind(scheduling_api, apps, db):
    admin = await headers_for(db, apps, "admin")
    created = await scheduling_api.post("/v1/appointment-types", json=NEW_KIND, headers=admin)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/v1/appointment-types/dry-needling"
    assert created.json() == created.json() | NEW_KIND | {"version": 1}
    again = await scheduling_api.post("/v1/appointment-types", json=NEW_KIND, headers=admin)
    assert again.status_code == 409


@pytest.mark.parametrize("role", ["front_desk", "therapist", "patient"])
async def test_only_admins_edit_kinds(scheduling_api, apps, db, role):
    headers = await headers_for(db, apps, role)
    created = await scheduling_api.post("/v1/appointment-types", json=NEW_KIND, headers=headers)
    changed = await scheduling_api.patch(
        "/v1/appointment-types/treatment",
        json={"name": "Visit"},
        headers=headers | {"If-Match": "*"},
    )
    assert (created.status_code, changed.status_code) == (403, 403)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 720}, "duration_minutes"),  # a 12-hour visit
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 47}, "duration_minutes"),
        ({"procedure_code": "9711"}, "procedure_code"),
        ({"procedure_code": "97110", "alternative_codes": ["97110"]}, "alternative_codes"),
        ({"alternative_codes": ["20561", "20561"]}, "alternative_codes"),
        ({"slug": "Dry Needling"}, "slug"),
        ({"name": "   "}, "name"),
        ({"version": 7}, "version"),
    ],
)
async def test_a_kind_that_breaks_a_rule_is_422(scheduling_api, apps, db, change, field):
    admin = await headers_for(db, apps, "admin")
    response = await scheduling_api.post(
        "/v1/appointment-types", json=NEW_KIND | change, headers=admin
    )
    assert response.status_code == 422, response.text
    assert ["body", field] == response.json()["errors"][0]["loc"][:2]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"slug": "visit"}, "slug"),  # the slug never changes
        ({"procedure_code": "97161"}, "alternative_codes"),  # still listed as an alternative
        ({"name": None}, "name"),
    ],
)
async def test_a_change_that_breaks_a_rule_is_422(scheduling_api, apps, db, body, field):
    admin = await headers_for(db, apps, "admin") | {"If-Match": "*"}
    response = await scheduling_api.patch(
        "/v1/appointment-types/evaluation", json=body, headers=admin
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"][0]["loc"]


async def test_an_unknown_kind_is_404(scheduling_api, apps, db):
    admin = await headers_for(db, apps, "admin")
    for response in (
        await scheduling_api.get("/v1/appointment-types/massage", headers=admin),
        await scheduling_api.patch(
            "/v1/appointment-types/massage", json={"name": "M"}, headers=admin | {"If-Match": "*"}
        ),
    ):
        assert response.status_code == 404
