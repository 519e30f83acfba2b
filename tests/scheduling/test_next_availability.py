"""`GET /v1/availability/next`: the earliest free slots across clinics, in one search."""

from datetime import UTC, datetime

import pytest

from tests.factories import headers_for
from tests.scheduling.factories import (
    fix_now,
    make_clinic,
    make_therapist,
    make_time_off,
    set_hours,
)

MONDAY, FRIDAY, SUNDAY = 0, 4, 6


@pytest.fixture(autouse=True)
def _before_it_all(monkeypatch):
    fix_now(monkeypatch, datetime(2026, 1, 1, tzinfo=UTC))


async def _next(api, db, apps, expect: int = 200, **params) -> dict:
    headers = await headers_for(db, apps, "front_desk")
    response = await api.get("/v1/availability/next", params=params, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


def _starts(found: dict) -> list[tuple[str, str]]:
    return [(s["start"], s["location"]) for s in found["slots"]]


async def test_across_every_clinic_by_default(scheduling_api, apps, db):
    """One therapist at Columbia on Monday mornings and at Frederick on Monday afternoons."""
    therapist = await make_therapist(db)
    hours = [
        {"location": "columbia", "weekday": MONDAY, "start": "09:00", "end": "09:45"},
        {"location": "frederick", "weekday": MONDAY, "start": "14:00", "end": "15:00"},
    ]
    await set_hours(scheduling_api, apps, db, therapist, hours)
    found = await _next(
        scheduling_api,
        db,
        apps,
        type="treatment",
        after="2026-12-05T00:00:00-05:00",
        therapist_id=str(therapist.id),
        limit=4,
    )
    assert _starts(found) == [
        ("2026-12-07T09:00:00-05:00", "columbia"),
        ("2026-12-07T14:00:00-05:00", "frederick"),
        ("2026-12-07T14:15:00-05:00", "frederick"),
        ("2026-12-14T09:00:00-05:00", "columbia"),
    ]


async def test_the_chosen_clinics_and_every_therapist_in_them(scheduling_api, apps, db):
    north, south, elsewhere = [await make_clinic(db) for _ in range(3)]
    for clinic, start in ((north, "10:00"), (south, "09:00"), (elsewhere, "08:00")):
        entry = {"location": clinic.slug, "weekday": FRIDAY, "start": start, "end": "11:00"}
        await set_hours(scheduling_api, apps, db, await make_therapist(db), [entry])
    found = await _next(
        scheduling_api,
        db,
        apps,
        type="evaluation",
        after="2026-12-11T09:30:00-05:00",
        locations=[north.slug, south.slug],
        limit=4,
    )
    at_ten = sorted(
        [("2026-12-11T10:00:00-05:00", north.slug), ("2026-12-11T10:00:00-05:00", south.slug)]
    )
    assert _starts(found) == [
        ("2026-12-11T09:30:00-05:00", south.slug),
        ("2026-12-11T09:45:00-05:00", south.slug),
        *at_ten,  # one start at two clinics: by clinic slug
    ]


async def test_more_than_a_week_of_slots_in_one_search(scheduling_api, apps, db):
    clinic, therapist = await make_clinic(db), await make_therapist(db)
    entry = {"location": clinic.slug, "weekday": FRIDAY, "start": "08:00", "end": "08:45"}
    await set_hours(scheduling_api, apps, db, therapist, [entry])
    off = (datetime.fromisoformat("2026-12-18T00:00:00-05:00"), datetime(2026, 12, 19, tzinfo=UTC))
    await make_time_off(db, therapist.id, *off)
    found = await _next(
        scheduling_api,
        db,
        apps,
        type="treatment",
        after="2026-12-05T00:00:00-05:00",
        locations=[clinic.slug],
        limit=3,
    )
    assert [s for s, _ in _starts(found)] == [
        "2026-12-11T08:00:00-05:00",
        "2026-12-25T08:00:00-05:00",
        "2027-01-01T08:00:00-05:00",
    ]


async def test_across_the_spring_forward_jump(scheduling_api, apps, db):
    clinic, therapist = await make_clinic(db), await make_therapist(db)
    entry = {"location": clinic.slug, "weekday": SUNDAY, "start": "01:00", "end": "04:00"}
    await set_hours(scheduling_api, apps, db, therapist, [entry])
    found = await _next(
        scheduling_api,
        db,
        apps,
        type="treatment",
        after="2026-03-08T01:30:00-05:00",
        locations=[clinic.slug],
        limit=3,
    )
    assert [s for s, _ in _starts(found)] == [
        "2026-03-08T01:30:00-05:00",
        "2026-03-08T01:45:00-05:00",
        "2026-03-08T03:00:00-04:00",
    ]


async def test_fewer_slots_when_the_search_finds_no_more(scheduling_api, apps, db):
    clinic, therapist = await make_clinic(db), await make_therapist(db)
    entry = {"location": clinic.slug, "weekday": FRIDAY, "start": "08:00", "end": "08:45"}
    await set_hours(scheduling_api, apps, db, therapist, [entry])
    away = (datetime(2026, 12, 12, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
    await make_time_off(db, therapist.id, *away)
    found = await _next(
        scheduling_api,
        db,
        apps,
        type="treatment",
        after="2026-12-07T00:00:00-05:00",
        locations=[clinic.slug],
    )
    assert [s for s, _ in _starts(found)] == ["2026-12-11T08:00:00-05:00"]
    assert found["searched_until"].startswith("2027-02-0")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "2026-12-07T08:00:00"}, "after"),  # no offset: names no instant
        ({"locations": ["baltimore"]}, "locations"),
        ({"type": "massage"}, "type"),
        ({"limit": "51"}, "limit"),
        ({"after": "1999-12-31T08:00:00Z"}, "after"),
    ],
)
async def test_a_search_that_cannot_be_answered_is_422(scheduling_api, apps, db, params, field):
    found = await _next(scheduling_api, db, apps, 422, **({"type": "treatment"} | params))
    assert ["query", field] == found["errors"][0]["loc"][:2]
