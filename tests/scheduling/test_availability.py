"""Free slots over HTTP: hours at the clinic, within its opening hours, minus time off, on the
grid, never in the past; and the refusals of a search that cannot be answered."""

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

MONDAY = 0
WEEKDAYS_8_TO_6 = [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(5)]


@pytest.fixture(autouse=True)
def _december_first(monkeypatch):
    fix_now(monkeypatch, datetime(2026, 12, 1, tzinfo=UTC))


async def _search(api, db, apps, **params) -> list[tuple[str, str]]:
    headers = await headers_for(db, apps, "front_desk")
    response = await api.get("/v1/availability", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [(s["start"][11:16], str(s["therapist_id"])) for s in response.json()["slots"]]


async def _monday_clinic(api, apps, db, *shifts: tuple[str, str]):
    """A weekday clinic (08:00-18:00) and one therapist per (start, end) shift on Mondays."""
    clinic = await make_clinic(db, opening_hours=WEEKDAYS_8_TO_6)
    therapists = []
    for start, end in shifts:
        therapist = await make_therapist(db)
        entry = {"location": clinic.slug, "weekday": MONDAY, "start": start, "end": end}
        await set_hours(api, apps, db, therapist, [entry])
        therapists.append(str(therapist.id))
    return clinic, therapists


def _monday(clinic, **more: str) -> dict[str, str]:
    day = {"from": "2026-12-07", "to": "2026-12-07"}
    return {"location": clinic.slug, "type": "treatment", **day, **more}


async def test_every_therapist_working_there_by_start(scheduling_api, apps, db):
    clinic, (early, late) = await _monday_clinic(
        scheduling_api, apps, db, ("08:00", "10:00"), ("09:00", "10:00")
    )
    slots = await _search(scheduling_api, db, apps, **_monday(clinic))
    expected = [(t, early) for t in ("08:00", "08:15", "08:30", "08:45", "09:00", "09:15")]
    expected += [("09:00", late), ("09:15", late)]
    assert slots == sorted(expected)


async def test_one_therapist_when_asked(scheduling_api, apps, db):
    clinic, (_, late) = await _monday_clinic(
        scheduling_api, apps, db, ("08:00", "10:00"), ("09:00", "10:00")
    )
    slots = await _search(scheduling_api, db, apps, **_monday(clinic, therapist_id=late))
    assert slots == [("09:00", late), ("09:15", late)]


async def test_slots_carry_the_clinic_offset_the_type_and_the_grid(scheduling_api, apps, db):
    clinic, (therapist,) = await _monday_clinic(scheduling_api, apps, db, ("08:00", "09:00"))
    headers = await headers_for(db, apps, "therapist")
    response = await scheduling_api.get(
        "/v1/availability", params=_monday(clinic, type="evaluation"), headers=headers
    )
    assert response.json() == {
        "location": clinic.slug,
        "type": "evaluation",
        "time_zone": "America/New_York",
        "duration_minutes": 60,
        "slot_minutes": 15,
        "slots": [
            {
                "start": "2026-12-07T08:00:00-05:00",
                "end": "2026-12-07T09:00:00-05:00",
                "therapist_id": therapist,
                "location": clinic.slug,
            }
        ],
    }


async def test_time_off_takes_its_slots_away(scheduling_api, apps, db):
    clinic, (therapist,) = await _monday_clinic(scheduling_api, apps, db, ("08:00", "10:00"))
    start = datetime.fromisoformat("2026-12-07T08:30:00-05:00")
    await make_time_off(db, therapist, start, datetime.fromisoformat("2026-12-07T09:00:00-05:00"))
    slots = await _search(scheduling_api, db, apps, **_monday(clinic))
    assert [t for t, _ in slots] == ["09:00", "09:15"]


async def test_the_grid_follows_the_setting(scheduling_api, apps, db, monkeypatch):
    monkeypatch.setattr(apps["scheduling"].state.settings, "slot_minutes", 30)
    clinic, _ = await _monday_clinic(scheduling_api, apps, db, ("08:00", "10:00"))
    slots = await _search(scheduling_api, db, apps, **_monday(clinic))
    assert [t for t, _ in slots] == ["08:00", "08:30", "09:00"]


async def test_hours_off_the_grid_start_at_the_next_grid_time(scheduling_api, apps, db):
    clinic, _ = await _monday_clinic(scheduling_api, apps, db, ("08:10", "09:40"))
    slots = await _search(scheduling_api, db, apps, **_monday(clinic))
    assert [t for t, _ in slots] == ["08:15", "08:30", "08:45"]


async def test_slots_already_begun_are_not_offered(scheduling_api, apps, db, monkeypatch):
    fix_now(monkeypatch, datetime.fromisoformat("2026-12-07T08:20:00-05:00"))
    clinic, _ = await _monday_clinic(scheduling_api, apps, db, ("08:00", "10:00"))
    slots = await _search(scheduling_api, db, apps, **_monday(clinic))
    assert [t for t, _ in slots] == ["08:30", "08:45", "09:00", "09:15"]


async def test_a_month_of_mondays(scheduling_api, apps, db):
    clinic, _ = await _monday_clinic(scheduling_api, apps, db, ("08:00", "08:45"))
    params = _monday(clinic) | {"from": "2026-12-01", "to": "2026-12-31"}
    headers = await headers_for(db, apps, "admin")
    response = await scheduling_api.get("/v1/availability", params=params, headers=headers)
    starts = [s["start"] for s in response.json()["slots"]]
    assert starts == [f"2026-12-{d:02}T08:00:00-05:00" for d in (7, 14, 21, 28)]


async def test_a_seeded_clinic_within_its_opening_hours(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    saturday = {"location": "columbia", "weekday": 5, "start": "12:00", "end": "13:00"}
    await set_hours(scheduling_api, apps, db, therapist, [saturday])
    params = {
        "location": "columbia",
        "type": "treatment",
        "from": "2026-12-12",
        "to": "2026-12-12",
        "therapist_id": str(therapist.id),
    }
    assert [t for t, _ in await _search(scheduling_api, db, apps, **params)] == ["12:00", "12:15"]


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to": "2027-01-07"}, "to"),  # 32 days
        ({"to": "2021-12-06"}, "to"),  # five years back
        ({"from": "2026-12-08"}, "to"),  # to before from
        ({"location": "baltimore"}, "location"),
        ({"type": "massage"}, "type"),
        ({"from": "1999-12-31", "to": "2000-01-01"}, "from"),
        ({"therapist_id": "not-a-uuid"}, "therapist_id"),
        ({"from": "2026-02-30"}, "from"),
    ],
)
async def test_a_search_that_cannot_be_answered_is_422_naming_the_field(
    scheduling_api, apps, db, change, field
):
    headers = await headers_for(db, apps, "front_desk")
    params = {"location": "frederick", "type": "treatment", "from": "2026-12-07"}
    params |= {"to": "2026-12-07"} | change
    response = await scheduling_api.get("/v1/availability", params=params, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert ["query", field] in [e["loc"] for e in response.json()["errors"]]


async def test_a_missing_parameter_is_422(scheduling_api, apps, db):
    headers = await headers_for(db, apps, "front_desk")
    params = {"location": "frederick", "from": "2026-12-07", "to": "2026-12-07"}
    response = await scheduling_api.get("/v1/availability", params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "type"]


async def test_patients_do_not_search_availability(scheduling_api, apps, db):
    headers = await headers_for(db, apps, "patient")
    params = {"location": "frederick", "type": "treatment", "from": "2026-12-07"}
    response = await scheduling_api.get(
        "/v1/availability", params=params | {"to": "2026-12-07"}, headers=headers
    )
    assert response.status_code == 403
