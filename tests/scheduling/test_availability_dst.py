"""Availability on the days the clocks change in America/New_York (8 March and 1 November
2026, both Sundays): exactly the slots the hours allow. The test clinic is open all night so
that hours can span the change; each expected list is written out in full.

Spring forward, 02:00 EST -> 03:00 EDT: wall times 02:00-02:59 do not exist, so no slot
starts then, and a visit starting before the jump ends an hour later on the wall clock.
Fall back, 02:00 EDT -> 01:00 EST: 01:00-01:59 happens twice; both are real times the
therapist is at work, each offered once with its own offset, and a visit's length is real
minutes even when it straddles the change.
"""

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

SUNDAY = 6
BEFORE_BOTH = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_before_the_changes(monkeypatch):
    fix_now(monkeypatch, BEFORE_BOTH)


async def _slots(api, db, apps, clinic, kind: str, day: str) -> list[tuple[str, str]]:
    headers = await headers_for(db, apps, "front_desk")
    params = {"location": clinic.slug, "type": kind, "from": day, "to": day}
    response = await api.get("/v1/availability", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [(s["start"], s["end"]) for s in response.json()["slots"]]


async def _night_shift(api, apps, db, start: str, end: str):
    clinic, therapist = await make_clinic(db), await make_therapist(db)
    hours = [{"location": clinic.slug, "weekday": SUNDAY, "start": start, "end": end}]
    await set_hours(api, apps, db, therapist, hours)
    return clinic, therapist


# -- spring forward: Sunday 8 March 2026, 01:00 to 04:00 on the wall (two real hours) ----------

SPRING_TREATMENTS = [  # 45 minutes
    ("2026-03-08T01:00:00-05:00", "2026-03-08T01:45:00-05:00"),
    ("2026-03-08T01:15:00-05:00", "2026-03-08T03:00:00-04:00"),
    ("2026-03-08T01:30:00-05:00", "2026-03-08T03:15:00-04:00"),
    ("2026-03-08T01:45:00-05:00", "2026-03-08T03:30:00-04:00"),
    ("2026-03-08T03:00:00-04:00", "2026-03-08T03:45:00-04:00"),
    ("2026-03-08T03:15:00-04:00", "2026-03-08T04:00:00-04:00"),
]
SPRING_EVALUATIONS = [  # 60 minutes
    ("2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"),
    ("2026-03-08T01:15:00-05:00", "2026-03-08T03:15:00-04:00"),
    ("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"),
    ("2026-03-08T01:45:00-05:00", "2026-03-08T03:45:00-04:00"),
    ("2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"),
]


async def test_spring_forward_has_no_slot_in_the_skipped_hour(scheduling_api, apps, db):
    clinic, _ = await _night_shift(scheduling_api, apps, db, "01:00", "04:00")
    treatments = await _slots(scheduling_api, db, apps, clinic, "treatment", "2026-03-08")
    evaluations = await _slots(scheduling_api, db, apps, clinic, "evaluation", "2026-03-08")
    assert treatments == SPRING_TREATMENTS
    assert evaluations == SPRING_EVALUATIONS


async def test_an_ordinary_sunday_gives_three_hours_of_slots(scheduling_api, apps, db):
    clinic, _ = await _night_shift(scheduling_api, apps, db, "01:00", "04:00")
    for day in ("2026-03-01", "2026-03-15"):
        treatments = await _slots(scheduling_api, db, apps, clinic, "treatment", day)
        starts = [start[11:16] for start, _ in treatments]
        assert starts == [f"{h:02}:{m:02}" for h in (1, 2, 3) for m in (0, 15, 30, 45)][:10]


async def test_hours_that_begin_in_the_skipped_hour_begin_when_the_clocks_jump(
    scheduling_api, apps, db
):
    clinic, _ = await _night_shift(scheduling_api, apps, db, "02:30", "04:00")
    assert await _slots(scheduling_api, db, apps, clinic, "treatment", "2026-03-08") == [
        ("2026-03-08T03:00:00-04:00", "2026-03-08T03:45:00-04:00"),
        ("2026-03-08T03:15:00-04:00", "2026-03-08T04:00:00-04:00"),
    ]


# -- fall back: Sunday 1 November 2026, 00:30 to 02:30 on the wall (three real hours) ----------

FALL_TREATMENTS = [
    ("2026-11-01T00:30:00-04:00", "2026-11-01T01:15:00-04:00"),
    ("2026-11-01T00:45:00-04:00", "2026-11-01T01:30:00-04:00"),
    ("2026-11-01T01:00:00-04:00", "2026-11-01T01:45:00-04:00"),
    ("2026-11-01T01:15:00-04:00", "2026-11-01T01:00:00-05:00"),
    ("2026-11-01T01:30:00-04:00", "2026-11-01T01:15:00-05:00"),
    ("2026-11-01T01:45:00-04:00", "2026-11-01T01:30:00-05:00"),
    ("2026-11-01T01:00:00-05:00", "2026-11-01T01:45:00-05:00"),
    ("2026-11-01T01:15:00-05:00", "2026-11-01T02:00:00-05:00"),
    ("2026-11-01T01:30:00-05:00", "2026-11-01T02:15:00-05:00"),
    ("2026-11-01T01:45:00-05:00", "2026-11-01T02:30:00-05:00"),
]
FALL_EVALUATIONS = [
    ("2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-04:00"),
    ("2026-11-01T00:45:00-04:00", "2026-11-01T01:45:00-04:00"),
    ("2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"),
    ("2026-11-01T01:15:00-04:00", "2026-11-01T01:15:00-05:00"),
    ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),
    ("2026-11-01T01:45:00-04:00", "2026-11-01T01:45:00-05:00"),
    ("2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"),
    ("2026-11-01T01:15:00-05:00", "2026-11-01T02:15:00-05:00"),
    ("2026-11-01T01:30:00-05:00", "2026-11-01T02:30:00-05:00"),
]


async def test_fall_back_offers_the_repeated_hour_once_at_each_offset(scheduling_api, apps, db):
    clinic, _ = await _night_shift(scheduling_api, apps, db, "00:30", "02:30")
    treatments = await _slots(scheduling_api, db, apps, clinic, "treatment", "2026-11-01")
    evaluations = await _slots(scheduling_api, db, apps, clinic, "evaluation", "2026-11-01")
    assert treatments == FALL_TREATMENTS
    assert evaluations == FALL_EVALUATIONS
    assert len(set(treatments)) == len(treatments)


async def test_time_off_in_the_repeated_hour_blocks_only_that_hour(scheduling_api, apps, db):
    """Off from 01:00 to 02:00 EST: the first 01:00-01:59 (EDT) stays bookable."""
    clinic, therapist = await _night_shift(scheduling_api, apps, db, "00:30", "02:30")
    off_from = datetime.fromisoformat("2026-11-01T01:00:00-05:00")
    off_until = datetime.fromisoformat("2026-11-01T02:00:00-05:00")
    await make_time_off(db, therapist.id, off_from, off_until)
    assert await _slots(scheduling_api, db, apps, clinic, "treatment", "2026-11-01") == [
        ("2026-11-01T00:30:00-04:00", "2026-11-01T01:15:00-04:00"),
        ("2026-11-01T00:45:00-04:00", "2026-11-01T01:30:00-04:00"),
        ("2026-11-01T01:00:00-04:00", "2026-11-01T01:45:00-04:00"),
        ("2026-11-01T01:15:00-04:00", "2026-11-01T01:00:00-05:00"),
    ]


async def test_a_range_across_each_change_matches_the_days_asked_alone(scheduling_api, apps, db):
    """Saturday to Monday around each change: the Sunday's slots are the same as alone."""
    clinic, _ = await _night_shift(scheduling_api, apps, db, "00:30", "04:00")
    headers = await headers_for(db, apps, "front_desk")
    for first, sunday, last in (
        ("2026-03-07", "2026-03-08", "2026-03-09"),
        ("2026-10-31", "2026-11-01", "2026-11-02"),
    ):
        params = {"location": clinic.slug, "type": "treatment", "from": first, "to": last}
        response = await scheduling_api.get("/v1/availability", params=params, headers=headers)
        around = [(s["start"], s["end"]) for s in response.json()["slots"]]
        alone = await _slots(scheduling_api, db, apps, clinic, "treatment", sunday)
        assert around == alone and alone
