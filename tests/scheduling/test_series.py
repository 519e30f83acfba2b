"""A series of visits in one request (`POST /v1/appointments/series`): every date checked as
a single booking is, all or nothing by default, each failing date reported with why and the
free slots nearest it; `partial` books what fits. Issue 8's bar: a 12-visit series from a
plan books in one request and fails whole when one date clashes or falls past the
certification or the authorization, with alternatives listed.

The clock reads Monday 7 December 2026, 08:00 in New York; the clinic's therapist works
07:00-19:00 every day. The 12 visits of a plan's two a week for six weeks, Mondays and
Thursdays at 09:00, run from 7 December to 14 January."""

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from services.scheduling.models import Appointment, AuditEvent
from tests.factories import headers_for, make_patient
from tests.plans.factories import make_plan
from tests.scheduling.booking import (
    a_clinic,
    appointments_of,
    fix_clock,
    plan_facts,
    plans_answering,
    seeded_clinic,
)
from tests.scheduling.factories import make_time_off

MONDAYS_AND_THURSDAYS = [
    "2026-12-07",
    "2026-12-10",
    "2026-12-14",
    "2026-12-17",
    "2026-12-21",
    "2026-12-24",
    "2026-12-28",
    "2026-12-31",
    "2027-01-04",
    "2027-01-07",
    "2027-01-11",
    "2027-01-14",
]
SERIES = "/v1/appointments/series"
IN_FLIGHT = "https://clinic.example/problems/idempotency-key-in-use"


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


def series_of(clinic, **fields: Any) -> dict[str, Any]:
    body = {
        "patient_id": str(clinic.patient.id),
        "therapist_id": str(clinic.therapist.id),
        "location": clinic.location.slug,
        "type": "treatment",
        "weekdays": [0, 3],
        "time": "09:00",
        "first_date": "2026-12-07",
        "count": 12,
    }
    return {k: v for k, v in (body | fields).items() if v is not None}


async def book_series(clinic, headers=None, **fields: Any):
    return await clinic.api.post(
        SERIES, json=series_of(clinic, **fields), headers=headers or clinic.desk
    )


def dates_of(appointments: list[dict[str, Any]]) -> list[str]:
    return [a["start"][:10] for a in appointments]


def local_times(slots: list[dict[str, Any]]) -> list[str]:
    return [slot["start"] for slot in slots]


async def audit_actions(db, patient_id) -> list[tuple[str, str]]:
    statement = (
        select(AuditEvent.action, AuditEvent.outcome)
        .where(col(AuditEvent.patient_id) == patient_id)
        .order_by(col(AuditEvent.id))
    )
    return [(action, outcome) for action, outcome in (await db.exec(statement)).all()]


# -- a plan's twelve visits ---------------------------------------------------------------------


async def test_a_plans_twelve_visits_book_in_one_request(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id))
        response = await book_series(clinic, plan_id=plan_id)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert dates_of(answer["booked"]) == MONDAYS_AND_THURSDAYS
    assert answer["failures"] == []
    assert {a["series_id"] for a in answer["booked"]} == {answer["series_id"]}
    assert {a["plan_id"] for a in answer["booked"]} == {plan_id}
    assert answer["booked"][0]["start"] == "2026-12-07T09:00:00-05:00"
    assert len(plans.asked) == 1  # the plan's facts, asked once for the whole series
    statement = select(func.count()).where(col(Appointment.series_id) == answer["series_id"])
    assert (await db.exec(statement)).one() == 12
    actions = await audit_actions(db, clinic.patient.id)
    assert actions == [("appointment.book", "success")] * 12 + [
        ("appointment.book_series", "success")
    ]


async def test_one_clashing_date_fails_the_whole_series_with_alternatives(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    other = await make_patient(db)
    taken = await clinic.book(patient_id=str(other.id), start="2026-12-21T09:00:00-05:00")
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id))
        response = await book_series(clinic, plan_id=plan_id)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (failure,) = response.json()["failures"]
    assert failure["date"] == "2026-12-21"
    assert failure["start"] == "2026-12-21T09:00:00-05:00"
    assert failure["clashes_with"] == taken.json()["id"]
    assert failure["reason"].startswith("The therapist already has appointment")
    assert failure["type"] == "https://clinic.example/problems/conflict"
    assert local_times(failure["alternatives"]) == [
        "2026-12-21T08:15:00-05:00",
        "2026-12-21T09:45:00-05:00",
        "2026-12-21T08:00:00-05:00",
    ]
    assert {s["therapist_id"] for s in failure["alternatives"]} == {str(clinic.therapist.id)}
    assert "1 of the series' 12 visits cannot be booked" in response.json()["detail"]
    assert await appointments_of(db, clinic.patient.id) == 0
    assert await audit_actions(db, clinic.patient.id) == [("appointment.book_series", "denied")]


async def test_a_date_past_the_certification_fails_the_whole_series(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    certified = (date(2026, 11, 1), date(2027, 1, 13))
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id, certification=certified))
        response = await book_series(clinic, plan_id=plan_id)
    assert response.status_code == 409, response.text
    (failure,) = response.json()["failures"]
    assert failure["date"] == "2027-01-14"
    assert "outside the plan's certification period" in failure["reason"]
    # the nearest slots on a date the plan covers: the evening before
    assert local_times(failure["alternatives"]) == [
        "2027-01-13T18:15:00-05:00",
        "2027-01-13T18:00:00-05:00",
        "2027-01-13T17:45:00-05:00",
    ]
    assert await appointments_of(db, clinic.patient.id) == 0


async def test_a_date_past_the_authorization_fails_the_whole_series(scheduling_api, apps, db):
    """Twelve visits authorized, one already booked on the plan: the series' 12th is the
    authorization's 13th, counting the series' own earlier visits."""
    clinic = await a_clinic(scheduling_api, apps, db)
    authorization = {"visits": 12, "valid_from": "2026-11-01", "visits_left": 12}
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id, authorization=authorization))
        earlier = await clinic.book(plan_id=plan_id, start="2026-12-08T09:00:00-05:00")
        assert earlier.status_code == 201, earlier.text
        response = await book_series(clinic, plan_id=plan_id)
    assert response.status_code == 409, response.text
    (failure,) = response.json()["failures"]
    assert failure["date"] == "2027-01-14"
    assert failure["reason"] == (
        "The authorization has 12 visit(s) left and 12 are booked already: none is left "
        "for this one."
    )
    assert len(failure["alternatives"]) == 3
    assert await appointments_of(db, clinic.patient.id) == 1  # the earlier visit only


async def test_partial_books_what_fits_and_reports_the_rest(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    christmas_eve = (datetime(2026, 12, 24, 12, tzinfo=UTC), datetime(2026, 12, 25, tzinfo=UTC))
    away = await make_time_off(db, clinic.therapist.id, *christmas_eve)  # 07:00-19:00 there
    response = await book_series(clinic, partial=True)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert dates_of(answer["booked"]) == [d for d in MONDAYS_AND_THURSDAYS if d != "2026-12-24"]
    (failure,) = answer["failures"]
    assert failure["date"] == "2026-12-24" and failure["clashes_with"] == str(away.id)
    assert failure["reason"].startswith("The therapist is away")
    assert local_times(failure["alternatives"]) == [
        "2026-12-23T18:15:00-05:00",
        "2026-12-23T18:00:00-05:00",
        "2026-12-23T17:45:00-05:00",
    ]
    assert await appointments_of(db, clinic.patient.id) == 11


async def test_partial_with_nothing_that_fits_is_409(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    response = await book_series(clinic, partial=True, time="20:00", count=2)
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith("None of the series' 2 visits can be booked")
    assert [f["status"] for f in response.json()["failures"]] == [422, 422]


# -- the dates ----------------------------------------------------------------------------------


async def test_the_count_comes_from_the_plans_frequency_and_duration(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    facts = plan_facts(clinic.patient.id) | {"frequency_per_week": 3, "duration_weeks": 2}
    with plans_answering(apps) as plans:
        response = await book_series(
            clinic, plan_id=plans.add(facts), count=None, weekdays=[0, 2, 4]
        )
    assert response.status_code == 201, response.text
    assert dates_of(response.json()["booked"]) == [
        "2026-12-07",
        "2026-12-09",
        "2026-12-11",
        "2026-12-14",
        "2026-12-16",
        "2026-12-18",
    ]


async def test_a_real_plans_course_books_from_the_plans_service(scheduling_api, apps, db):
    """The front desk's read of the plan (`view: scheduling`) carries its frequency (two a
    week) and duration (six weeks)."""
    clinic = await a_clinic(scheduling_api, apps, db)
    plan = await make_plan(
        db,
        patient_id=clinic.patient.id,
        start_date=date(2026, 11, 30),
        certification_end=date(2027, 1, 29),
    )
    response = await book_series(clinic, plan_id=str(plan.id), count=None)
    assert response.status_code == 201, response.text
    assert dates_of(response.json()["booked"]) == MONDAYS_AND_THURSDAYS


async def test_a_series_ends_on_its_last_date(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    response = await book_series(clinic, count=None, last_date="2026-12-17", weekdays=[3, 0])
    assert response.status_code == 201, response.text
    assert dates_of(response.json()["booked"]) == MONDAYS_AND_THURSDAYS[:4]


async def test_a_day_the_clock_skips_the_time_fails_that_date(scheduling_api, apps, db):
    """14 March 2027 in New York goes from 02:00 straight to 03:00: 02:30 is no time there."""
    clinic = await a_clinic(
        scheduling_api, apps, db, week=[{"weekday": 6, "start": "00:00", "end": "06:00"}]
    )
    response = await book_series(
        clinic, weekdays=[6], time="02:30", first_date="2027-03-07", count=3, partial=True
    )
    assert response.status_code == 201, response.text
    assert dates_of(response.json()["booked"]) == ["2027-03-07", "2027-03-21"]
    (failure,) = response.json()["failures"]
    assert failure["date"] == "2027-03-14" and failure["status"] == 422
    assert "does not exist on the clinic's clock" in failure["reason"]


async def test_a_time_the_clock_reads_twice_books_its_first_reading(scheduling_api, apps, db):
    clinic = await a_clinic(
        scheduling_api, apps, db, week=[{"weekday": 6, "start": "00:00", "end": "06:00"}]
    )
    response = await book_series(
        clinic, weekdays=[6], time="01:30", first_date="2027-11-07", count=1
    )
    assert response.status_code == 201, response.text
    assert response.json()["booked"][0]["start"] == "2027-11-07T01:30:00-04:00"


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"count": 500}, ["body", "count"]),
        ({"count": 0}, ["body", "count"]),
        ({"count": 12, "last_date": "2027-01-14"}, ["body", "count"]),
        ({"count": None}, ["body", "count"]),
        ({"weekdays": [0, 3, 0]}, ["body", "weekdays"]),
        ({"weekdays": []}, ["body", "weekdays"]),
        ({"weekdays": [7]}, ["body", "weekdays", 0]),
        ({"time": "09:10"}, ["body", "time"]),
        ({"time": "9:00"}, ["body", "time"]),
        ({"time": "09:00:00-05:00"}, ["body", "time"]),
        ({"first_date": "2026-12-07T09:00:00"}, ["body", "first_date"]),
        ({"first_date": "2026-12-06"}, ["body", "first_date"]),
        ({"first_date": "2029-01-01"}, ["body", "first_date"]),
        ({"count": None, "last_date": "2026-12-06"}, ["body", "last_date"]),
        ({"count": None, "last_date": "2027-12-31"}, ["body", "last_date"]),
        ({"count": None, "last_date": "2026-12-08", "weekdays": [3]}, ["body", "last_date"]),
        # every day for eight months: 235 visits
        (
            {"count": None, "last_date": "2027-07-31", "weekdays": [0, 1, 2, 3, 4, 5, 6]},
            ["body", "last_date"],
        ),
        ({"room": "Attic"}, ["body", "room"]),
        ({"location": "atlantis"}, ["body", "location"]),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_books_nothing(
    scheduling_api, apps, db, fields, loc
):
    clinic = await a_clinic(scheduling_api, apps, db)
    response = await book_series(clinic, **fields)
    assert response.status_code == 422, response.text
    assert loc in [error["loc"] for error in response.json()["errors"]]
    assert await appointments_of(db, clinic.patient.id) == 0


async def test_a_plans_course_past_a_hundred_visits_is_422_naming_count(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    facts = plan_facts(clinic.patient.id) | {"frequency_per_week": 5, "duration_weeks": 52}
    with plans_answering(apps) as plans:
        response = await book_series(clinic, plan_id=plans.add(facts), count=None)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "count"]
    assert "make 260 visits" in response.json()["detail"]


@pytest.mark.parametrize(
    ("facts", "why"),
    [({"status": "on_hold"}, "on hold"), ({"patient_id": "another"}, "another patient's")],
)
async def test_a_plan_closed_to_booking_refuses_the_series_whole(
    scheduling_api, apps, db, facts, why
):
    clinic = await a_clinic(scheduling_api, apps, db)
    if facts.get("patient_id") == "another":
        facts = {"patient_id": str((await make_patient(db)).id)}
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id) | facts)
        response = await book_series(clinic, plan_id=plan_id)
    assert response.status_code == 409 and why in response.json()["detail"], response.text
    assert "failures" not in response.json()


async def test_only_the_front_desk_and_admins_book_a_series(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    for role, expected in (("therapist", 403), ("patient", 403), ("admin", 201)):
        response = await book_series(clinic, headers=await headers_for(db, apps, role), count=1)
        assert response.status_code == expected, (role, response.text)


# -- safe retries -------------------------------------------------------------------------------


async def test_the_same_key_and_body_answer_the_first_series_again(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    keyed = clinic.desk | {"Idempotency-Key": str(uuid.uuid4())}
    first = await book_series(clinic, headers=keyed, count=4)
    again = await book_series(clinic, headers=keyed, count=4)
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    other = await book_series(clinic, headers=keyed, count=5)
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await appointments_of(db, clinic.patient.id) == 4
    actions = await audit_actions(db, clinic.patient.id)
    assert actions[-2:] == [("request.replay", "success"), ("appointment.book_series", "denied")]


async def test_twenty_copies_of_one_key_book_one_series(committed_apis, committed_db, apps):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    keyed = clinic.desk | {"Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(book_series(clinic, headers=keyed, count=4) for _ in range(20))
    )
    created = [r for r in responses if r.status_code == 201]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(created) + len(in_flight) == 20, [r.status_code for r in responses]
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    assert {r.content for r in created} == {originals[0].content}
    assert {r.json()["type"] for r in in_flight} <= {IN_FLIGHT}
    series = select(Appointment.series_id).where(col(Appointment.patient_id) == clinic.patient.id)
    booked = (await committed_db.exec(series)).all()
    assert len(booked) == 4 and set(booked) == {uuid.UUID(originals[0].json()["series_id"])}
