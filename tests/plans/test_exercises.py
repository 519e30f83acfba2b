"""The seeded neuroma exercise library, read over HTTP."""

import pytest

from tests.factories import headers_for

NEUROMA_SLUGS = {"toe-spreads", "toe-press-downs", "gastroc-soleus-stretch", "single-leg-balance"}


@pytest.mark.parametrize("role", ["therapist", "patient", "front_desk", "admin"])
async def test_every_signed_in_role_reads_the_library(plans_api, db, apps, role):
    response = await plans_api.get("/v1/exercises", headers=await headers_for(db, apps, role))
    assert response.status_code == 200
    assert {e["slug"] for e in response.json()["items"]} >= NEUROMA_SLUGS


async def test_the_library_needs_a_token(plans_api):
    assert (await plans_api.get("/v1/exercises")).status_code == 401


async def test_default_dosages_follow_the_clinical_facts(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    items = (await plans_api.get("/v1/exercises", headers=headers)).json()["items"]
    by_slug = {e["slug"]: e for e in items}
    spreads = by_slug["toe-spreads"]["default_dosage"]
    assert (spreads["reps"], spreads["hold_seconds"], spreads["side"]) == (15, 5, "each")
    calf = by_slug["gastroc-soleus-stretch"]["default_dosage"]
    assert (calf["reps"], calf["hold_seconds"]) == (3, 30)
    balance = by_slug["single-leg-balance"]["default_dosage"]
    assert (balance["reps"], balance["hold_seconds"]) == (3, 30)
    press = by_slug["toe-press-downs"]
    assert (
        press["default_dosage"]["sets"] is None and "therapist" in press["default_dosage"]["note"]
    )
    assert "cable-machine" in press["equipment"]
    assert all(e["instructions"] and e["purpose"] for e in items)


async def test_pages_through_the_library_with_a_cursor(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    first = (await plans_api.get("/v1/exercises", params={"limit": 3}, headers=headers)).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = (
        await plans_api.get(
            "/v1/exercises", params={"limit": 3, "cursor": first["next_cursor"]}, headers=headers
        )
    ).json()
    names = [e["name"] for e in first["items"] + rest["items"]]
    assert names == sorted(names) and len(set(names)) == len(names) == 4
    assert rest["next_cursor"] is None


async def test_filters_and_single_exercise(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    ankle = (
        await plans_api.get("/v1/exercises", params={"body_region": "ankle"}, headers=headers)
    ).json()
    assert [e["slug"] for e in ankle["items"]] == ["gastroc-soleus-stretch"]
    balance = (
        await plans_api.get("/v1/exercises", params={"tag": "balance"}, headers=headers)
    ).json()
    assert [e["slug"] for e in balance["items"]] == ["single-leg-balance"]
    one = await plans_api.get("/v1/exercises/toe-spreads", headers=headers)
    assert one.status_code == 200 and one.json()["name"] == "Toe spreads"
    assert (await plans_api.get("/v1/exercises/no-such-thing", headers=headers)).status_code == 404
    assert (await plans_api.get("/v1/exercises/BAD SLUG", headers=headers)).status_code == 422
