"""The exercise library read over HTTP: the seeded neuroma exercises, search and filters, one
exercise with its ETag.

Lists are narrowed to the neuroma tag where they count rows: race tests elsewhere commit
exercises of their own to the worker's database."""

import pytest

from tests.factories import headers_for

NEUROMA_SLUGS = {"toe-spreads", "toe-press-downs", "gastroc-soleus-stretch", "single-leg-balance"}
NEUROMA = {"tag": "mortons-neuroma"}


async def _slugs(api, headers, **params) -> list[str]:
    response = await api.get("/v1/exercises", params=NEUROMA | params, headers=headers)
    assert response.status_code == 200, response.text
    return [e["slug"] for e in response.json()["items"]]


@pytest.mark.parametrize("role", ["therapist", "patient", "front_desk", "admin"])
async def test_every_signed_in_role_reads_the_library(plans_api, db, apps, role):
    response = await plans_api.get("/v1/exercises", headers=await headers_for(db, apps, role))
    assert response.status_code == 200
    assert {e["slug"] for e in response.json()["items"]} >= NEUROMA_SLUGS


async def test_the_library_needs_a_token(plans_api):
    assert (await plans_api.get("/v1/exercises")).status_code == 401


async def test_default_dosages_keep_the_ranges_of_the_clinical_facts(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    items = (await plans_api.get("/v1/exercises", params=NEUROMA, headers=headers)).json()["items"]
    dosage = {e["slug"]: e["default_dosage"] for e in items}
    ranges = ("reps", "reps_max", "hold_seconds", "hold_seconds_max", "side")
    assert tuple(dosage["toe-spreads"][k] for k in ranges) == (10, 15, 3, 5, "each")
    assert tuple(dosage["gastroc-soleus-stretch"][k] for k in ranges) == (2, 3, 20, 30, "each")
    assert tuple(dosage["single-leg-balance"][k] for k in ranges) == (2, 3, 20, 30, "each")
    press = dosage["toe-press-downs"]
    assert all(press[k] is None for k in ("sets", "sets_max", "reps", "reps_max", "hold_seconds"))
    assert "therapist" in press["note"] and press["side"] == "each"


async def test_each_seeded_exercise_has_cues_equipment_and_setting(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    items = (await plans_api.get("/v1/exercises", params=NEUROMA, headers=headers)).json()["items"]
    by_slug = {e["slug"]: e for e in items}
    assert all(e["cues"] and e["instructions"] and e["purpose"] for e in items)
    assert all(e["retired_at"] is None and e["version"] >= 1 for e in items)
    press = by_slug["toe-press-downs"]
    assert press["setting"] == "clinic"
    assert press["equipment"] == ["cable-machine", "foot-strap"]
    assert "low pulley" in press["setup"] and "foot strap" in press["setup"]
    assert any("one foot at a time" in cue.lower() for cue in press["cues"])
    assert any("heel" in cue.lower() for cue in press["cues"])
    assert by_slug["gastroc-soleus-stretch"]["equipment"] == ["wall"]
    assert by_slug["toe-spreads"]["setting"] == "both"


async def test_pages_through_the_library_with_a_cursor(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    params = NEUROMA | {"limit": 3}
    first = (await plans_api.get("/v1/exercises", params=params, headers=headers)).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    params["cursor"] = first["next_cursor"]
    rest = (await plans_api.get("/v1/exercises", params=params, headers=headers)).json()
    names = [e["name"] for e in first["items"] + rest["items"]]
    assert names == sorted(names) and len(set(names)) == len(names) == 4
    assert rest["next_cursor"] is None


async def test_searches_name_purpose_instructions_and_tags_ignoring_case(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    assert await _slugs(plans_api, headers, q="CALF") == ["gastroc-soleus-stretch"]
    assert await _slugs(plans_api, headers, q="proprioception") == ["single-leg-balance"]  # tag
    assert await _slugs(plans_api, headers, q="pulley") == ["toe-press-downs"]  # instructions
    assert await _slugs(plans_api, headers, q="calf pulley") == []  # every word must match
    assert set(await _slugs(plans_api, headers, q="wall")) == {
        "gastroc-soleus-stretch",
        "single-leg-balance",
    }


@pytest.mark.parametrize("q", ["%", "_", "\\", "100%_"])
async def test_search_wildcards_are_taken_literally(plans_api, db, apps, q):
    headers = await headers_for(db, apps, "therapist")
    assert await _slugs(plans_api, headers, q=q) == []


async def test_filters_by_region_tag_equipment_and_setting(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    assert await _slugs(plans_api, headers, body_region="ankle") == ["gastroc-soleus-stretch"]
    assert await _slugs(plans_api, headers, tag="balance") == ["single-leg-balance"]
    assert await _slugs(plans_api, headers, equipment="cable-machine") == ["toe-press-downs"]
    at_home = set(await _slugs(plans_api, headers, setting="home"))
    assert at_home == NEUROMA_SLUGS - {"toe-press-downs"}  # home: "home" and "both"
    assert set(await _slugs(plans_api, headers, setting="clinic")) == NEUROMA_SLUGS


async def test_one_exercise_with_its_etag(plans_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    one = await plans_api.get("/v1/exercises/toe-spreads", headers=headers)
    assert one.status_code == 200 and one.json()["name"] == "Toe spreads"
    assert one.headers["ETag"] == f'"{one.json()["version"]}"'
    assert (await plans_api.get("/v1/exercises/no-such-thing", headers=headers)).status_code == 404
    assert (await plans_api.get("/v1/exercises/BAD SLUG", headers=headers)).status_code == 422


@pytest.mark.parametrize(
    "params",
    [{"q": "a\x00b"}, {"q": "x" * 101}, {"setting": "garden"}, {"tag": "Not A Tag"}],
)
async def test_bad_search_input_is_422(plans_api, db, apps, params):
    headers = await headers_for(db, apps, "therapist")
    response = await plans_api.get("/v1/exercises", params=params, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
