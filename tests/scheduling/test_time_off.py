"""Time off over HTTP: recorded by an admin or the therapist themself, listed, taken back;
aware moments only, never overlapping another stretch of the same therapist."""

import asyncio
import uuid

import pytest

from tests.factories import bearer, headers_for, make_account, token_for
from tests.scheduling.factories import make_therapist

CHRISTMAS = {
    "start": "2026-12-24T12:00:00-05:00",
    "end": "2026-12-28T08:00:00-05:00",
    "reason": "Holidays",
}


def _url(therapist_id, time_off_id=None) -> str:
    url = f"/v1/therapists/{therapist_id}/time-off"
    return f"{url}/{time_off_id}" if time_off_id else url


async def test_a_therapist_records_lists_and_takes_back_their_time_off(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    own = bearer(token_for(apps, therapist))

    created = await scheduling_api.post(_url(therapist.id), json=CHRISTMAS, headers=own)

    assert created.status_code == 201, created.text
    away = created.json()
    assert created.headers["Location"] == _url(therapist.id, away["id"])
    assert (away["start"], away["end"]) == ("2026-12-24T17:00:00Z", "2026-12-28T13:00:00Z")
    assert (away["therapist_id"], away["reason"]) == (str(therapist.id), "Holidays")
    listed = await scheduling_api.get(_url(therapist.id), headers=own)
    assert listed.json() == {"items": [away], "next_cursor": None}
    removed = await scheduling_api.delete(_url(therapist.id, away["id"]), headers=own)
    assert removed.status_code == 204
    assert (await scheduling_api.get(_url(therapist.id), headers=own)).json()["items"] == []


async def test_an_admin_records_time_off_for_a_therapist(scheduling_api, apps, db):
    therapist, admin = await make_therapist(db), await headers_for(db, apps, "admin")
    created = await scheduling_api.post(_url(therapist.id), json=CHRISTMAS, headers=admin)
    assert created.status_code == 201


async def test_an_admin_cannot_give_time_off_to_an_account_that_is_no_therapist(
    scheduling_api, apps, db
):
    admin = await headers_for(db, apps, "admin")
    for someone in ((await make_account(db, role="front_desk")).id, uuid.uuid4()):
        response = await scheduling_api.post(_url(someone), json=CHRISTMAS, headers=admin)
        assert response.status_code == 404


@pytest.mark.parametrize("role", ["therapist", "front_desk", "patient"])
async def test_others_do_not_touch_a_therapists_time_off(scheduling_api, apps, db, role):
    therapist = await make_therapist(db)
    created = await scheduling_api.post(
        _url(therapist.id), json=CHRISTMAS, headers=bearer(token_for(apps, therapist))
    )
    headers = await headers_for(db, apps, role)
    url = _url(therapist.id, created.json()["id"])
    assert (
        await scheduling_api.post(_url(therapist.id), json=CHRISTMAS, headers=headers)
    ).status_code == 403
    assert (await scheduling_api.get(_url(therapist.id), headers=headers)).status_code == 403
    assert (await scheduling_api.delete(url, headers=headers)).status_code == 403


async def test_time_off_of_another_therapist_is_404_at_this_therapists_path(
    scheduling_api, apps, db
):
    one, other = await make_therapist(db), await make_therapist(db)
    admin = await headers_for(db, apps, "admin")
    created = await scheduling_api.post(_url(one.id), json=CHRISTMAS, headers=admin)
    response = await scheduling_api.delete(_url(other.id, created.json()["id"]), headers=admin)
    assert response.status_code == 404
    assert (await scheduling_api.get(_url(one.id), headers=admin)).json()["items"]


async def test_overlapping_time_off_is_409_naming_the_other(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    own = bearer(token_for(apps, therapist))
    first = (await scheduling_api.post(_url(therapist.id), json=CHRISTMAS, headers=own)).json()
    overlapping = CHRISTMAS | {"start": "2026-12-27T00:00:00Z", "end": "2026-12-29T00:00:00Z"}
    response = await scheduling_api.post(_url(therapist.id), json=overlapping, headers=own)
    assert response.status_code == 409
    assert response.json()["clashes_with"] == first["id"]
    touching = CHRISTMAS | {"start": "2026-12-28T08:00:00-05:00", "end": "2026-12-29T00:00:00Z"}
    after = await scheduling_api.post(_url(therapist.id), json=touching, headers=own)
    assert after.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2026-12-24T12:00:00"}, "start"),  # naive: names no instant
        ({"end": "2026-12-28"}, "end"),
        ({"end": "2026-12-24T12:00:00-05:00"}, "end"),  # zero length
        ({"end": "2026-12-24T11:00:00-05:00"}, "end"),  # before the start
        ({"end": "2027-12-25T12:00:01-05:00"}, "end"),  # over 366 days
        ({"start": "1999-12-24T12:00:00-05:00"}, "start"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"therapist_id": str(uuid.uuid4())}, "therapist_id"),
    ],
)
async def test_time_off_that_breaks_a_rule_is_422_and_not_stored(
    scheduling_api, apps, db, change, field
):
    therapist = await make_therapist(db)
    own = bearer(token_for(apps, therapist))
    response = await scheduling_api.post(_url(therapist.id), json=CHRISTMAS | change, headers=own)
    assert response.status_code == 422, response.text
    assert ["body", field] in [e["loc"] for e in response.json()["errors"]]
    assert (await scheduling_api.get(_url(therapist.id), headers=own)).json()["items"] == []


async def test_time_off_pages(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    own = bearer(token_for(apps, therapist))
    for day in (3, 1, 2):
        away = {"start": f"2027-01-0{day}T00:00:00Z", "end": f"2027-01-0{day}T12:00:00Z"}
        await scheduling_api.post(_url(therapist.id), json=away | {"reason": "x"}, headers=own)
    first = (await scheduling_api.get(_url(therapist.id), params={"limit": 2}, headers=own)).json()
    rest = await scheduling_api.get(
        _url(therapist.id), params={"limit": 2, "cursor": first["next_cursor"]}, headers=own
    )
    starts = [a["start"][:10] for a in first["items"] + rest.json()["items"]]
    assert starts == ["2027-01-01", "2027-01-02", "2027-01-03"]
    assert rest.json()["next_cursor"] is None


async def test_racing_overlapping_time_off_records_exactly_one(committed_apis, committed_db, apps):
    therapist = await make_therapist(committed_db)
    own = bearer(token_for(apps, therapist))
    api = committed_apis["scheduling"]
    bodies = [
        CHRISTMAS | {"start": f"2026-12-24T{hour:02}:00:00-05:00", "reason": f"try {hour}"}
        for hour in range(10)
    ]

    answers = await asyncio.gather(
        *(api.post(_url(therapist.id), json=b, headers=own) for b in bodies)
    )

    assert sorted(a.status_code for a in answers) == [201] + [409] * 9
    assert len((await api.get(_url(therapist.id), headers=own)).json()["items"]) == 1
