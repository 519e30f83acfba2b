"""Booking an appointment over HTTP: what is stored and answered, every refusal of a time
that cannot be booked (naming the field), the patients service's word on the patient, and
the clashes the exclusion constraints refuse, each 409 naming the appointment in the way."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from services.scheduling.models import Appointment, AuditEvent
from tests.factories import headers_for, make_patient
from tests.scheduling.booking import (
    MONDAY_9,
    NOW,
    a_clinic,
    add_therapist,
    appointments_of,
    fix_clock,
)
from tests.scheduling.factories import make_therapist, make_time_off

PROBLEM_JSON = "application/problem+json"
NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)  # before both changes of the clocks in 2026
ALL_NIGHT = [{"weekday": 6, "opens": "00:00", "closes": "23:59"}]  # Sundays, round the clock
ALL_NIGHT_SHIFT = [{"weekday": 6, "start": "00:00", "end": "06:00"}]


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


def assert_refused(response: httpx.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    if field is not None:
        assert body["errors"][0]["loc"] == field.split("."), body
    return body


async def test_a_booking_is_stored_and_answered_on_the_clinics_clock(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    response = await clinic.book(start="2026-12-07T14:00:00Z", room="Gym")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/appointments/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["start"] == MONDAY_9 and body["end"] == "2026-12-07T09:45:00-05:00"
    assert (body["status"], body["type"], body["duration_minutes"]) == ("booked", "treatment", 45)
    assert body["room"] == "Gym" and body["warnings"] == []
    assert body["moves"] == ["check-in", "no-show", "cancel", "reschedule"]
    stored = await db.get(Appointment, uuid.UUID(body["id"]))
    assert stored is not None and stored.location == clinic.location.slug
    booked = select(AuditEvent).where(
        AuditEvent.action == "appointment.book", AuditEvent.patient_id == clinic.patient.id
    )
    rows = (await db.exec(booked)).all()
    assert [(r.patient_id, r.entity_id) for r in rows] == [(clinic.patient.id, body["id"])]


@pytest.mark.parametrize(
    ("start", "why"),
    [
        ("2026-12-07T09:00:00", "timezone"),  # naive: names no instant
        ("2026-12-07T07:45:00-05:00", "past"),
        ("2026-12-07T09:10:00-05:00", "grid"),
        ("2026-12-07T09:00:30-05:00", "grid"),
        ("2029-01-01T09:00:00-05:00", "two years"),
    ],
)
async def test_a_start_that_cannot_be_booked_is_refused_naming_it(
    scheduling_api, apps, db, start, why
):
    clinic = await a_clinic(scheduling_api, apps, db)
    body = assert_refused(await clinic.book(start=start), 422, "body.start")
    assert why in body["detail"]
    assert await appointments_of(db, clinic.patient.id) == 0


@pytest.mark.parametrize("start", ["2026-03-08T02:30:00-05:00", "2026-03-08T02:30:00-04:00"])
async def test_the_skipped_hour_of_spring_forward_is_refused(
    scheduling_api, apps, db, monkeypatch, start
):
    fix_clock(monkeypatch, NEW_YEAR)
    clinic = await a_clinic(scheduling_api, apps, db)
    body = assert_refused(await clinic.book(start=start), 422, "body.start")
    assert "does not exist" in body["detail"]


async def test_the_hour_around_the_skipped_one_books(scheduling_api, apps, db, monkeypatch):
    fix_clock(monkeypatch, NEW_YEAR)
    clinic = await a_clinic(scheduling_api, apps, db, opening_hours=ALL_NIGHT, week=ALL_NIGHT_SHIFT)
    before = await clinic.book(start="2026-03-08T01:00:00-05:00")
    assert before.status_code == 201, before.text
    assert before.json()["end"] == "2026-03-08T01:45:00-05:00"
    # The same instant as 02:30 EST, written as the clinic's clock reads it then.
    after = await clinic.book(start="2026-03-08T03:30:00-04:00")
    assert after.status_code == 201, after.text


@pytest.mark.parametrize("offset", ["-04:00", "-05:00"])
async def test_both_readings_of_the_repeated_hour_of_fall_back_book(
    scheduling_api, apps, db, monkeypatch, offset
):
    fix_clock(monkeypatch, NEW_YEAR)
    clinic = await a_clinic(scheduling_api, apps, db, opening_hours=ALL_NIGHT, week=ALL_NIGHT_SHIFT)
    response = await clinic.book(start=f"2026-11-01T01:30:00{offset}")
    assert response.status_code == 201, response.text
    assert response.json()["start"] == f"2026-11-01T01:30:00{offset}"


async def test_outside_the_opening_hours_is_refused(scheduling_api, apps, db):
    weekdays = [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(5)]
    week = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(5)]
    clinic = await a_clinic(scheduling_api, apps, db, opening_hours=weekdays, week=week)
    body = assert_refused(await clinic.book(start="2026-12-07T17:30:00-05:00"), 422, "body.start")
    assert "is open 08:00-18:00 on Mondays" in body["detail"]
    closed = await clinic.book(start="2026-12-12T09:00:00-05:00")  # a Saturday
    assert "is closed on Saturdays" in assert_refused(closed, 422, "body.start")["detail"]


async def test_outside_the_therapists_hours_is_refused(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    late = await clinic.book(start="2026-12-07T18:30:00-05:00")  # ends 19:15
    assert "works 07:00-19:00 at" in assert_refused(late, 422, "body.start")["detail"]
    stranger = await make_therapist(db)
    elsewhere = await clinic.book(therapist_id=str(stranger.id))
    assert "does not work at" in assert_refused(elsewhere, 422, "body.start")["detail"]


async def test_the_therapists_time_off_is_refused(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    away = await make_time_off(
        db, clinic.therapist.id, datetime(2026, 12, 7, 14, 30, tzinfo=UTC), NOW + timedelta(hours=8)
    )
    body = assert_refused(await clinic.book(), 409)
    assert body["clashes_with"] == str(away.id) and "away" in body["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("location", "baltimore"), ("type", "massage"), ("room", "Pool")],
)
async def test_unknown_slugs_and_rooms_are_refused_naming_the_field(
    scheduling_api, apps, db, field, value
):
    clinic = await a_clinic(scheduling_api, apps, db)
    assert_refused(await clinic.book(**{field: value}), 422, f"body.{field}")
    assert await appointments_of(db, clinic.patient.id) == 0


async def test_an_unknown_patient_is_404_and_an_archived_one_422(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    assert_refused(await clinic.book(patient_id=str(uuid.uuid4())), 404)
    archived = await make_patient(
        db, status="archived", archived_at=NOW, archive_reason="moved away"
    )
    assert_refused(await clinic.book(patient_id=str(archived.id)), 422, "body.patient_id")
    assert await appointments_of(db, archived.id) == 0


async def test_patients_unreachable_is_503_and_nothing_is_booked(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    router = apps["scheduling"].state.http._transport
    down = httpx.MockTransport(lambda request: httpx.Response(503, headers={"Retry-After": "1"}))
    with router.replaced("patients.test", down):
        response = await clinic.book()
    assert_refused(response, 503)
    assert response.headers["retry-after"]
    assert await appointments_of(db, clinic.patient.id) == 0


async def test_an_admin_books_and_others_may_not(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    admin = await headers_for(db, apps, "admin")
    booked = await scheduling_api.post("/v1/appointments", json=clinic.booking(), headers=admin)
    assert booked.status_code == 201, booked.text
    for role in ("therapist", "patient"):
        headers = await headers_for(db, apps, role)
        refused = await scheduling_api.post(
            "/v1/appointments", json=clinic.booking(), headers=headers
        )
        assert_refused(refused, 403)


# -- clashes ------------------------------------------------------------------------------------


async def test_the_therapists_overlapping_visit_is_refused_naming_it(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    first = (await clinic.book()).json()
    other = await make_patient(db)
    body = assert_refused(
        await clinic.book(patient_id=str(other.id), start="2026-12-07T09:30:00-05:00"), 409
    )
    assert body["clashes_with"] == first["id"]
    assert (
        body["detail"] == f"The therapist already has appointment {first['id']} then (09:00-09:45)."
    )


async def test_the_patients_overlapping_visit_is_refused_naming_it(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    first = (await clinic.book()).json()
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    body = assert_refused(await clinic.book(therapist_id=str(colleague.id)), 409)
    assert body["clashes_with"] == first["id"] and body["detail"].startswith("The patient")


async def test_a_room_holds_one_visit_at_a_time(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    first = (await clinic.book(room="Gym")).json()
    colleague, other = await make_therapist(db), await make_patient(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    elsewhere = {"therapist_id": str(colleague.id), "patient_id": str(other.id)}
    body = assert_refused(await clinic.book(room="Gym", **elsewhere), 409)
    assert body["clashes_with"] == first["id"] and body["detail"].startswith("The room 'Gym'")
    assert (await clinic.book(room="Treatment 1", **elsewhere)).status_code == 201


async def test_back_to_back_visits_do_not_clash(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    assert (await clinic.book()).status_code == 201
    assert (await clinic.book(start="2026-12-07T09:45:00-05:00")).status_code == 201


async def test_a_cancelled_visit_frees_its_time(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    first = (await clinic.book()).json()
    cancelled = await scheduling_api.post(
        f"/v1/appointments/{first['id']}/cancel", json={"reason": "Flu"}, headers=clinic.desk
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await clinic.book()).status_code == 201


async def test_the_availability_search_offers_no_booked_time(scheduling_api, apps, db, monkeypatch):
    monkeypatch.setattr("services.scheduling.availability.routes.utcnow", lambda: NOW)
    clinic = await a_clinic(scheduling_api, apps, db)
    params = {
        "location": clinic.location.slug,
        "therapist_id": str(clinic.therapist.id),
        "type": "treatment",
        "from": "2026-12-07",
        "to": "2026-12-07",
    }

    async def starts() -> list[str]:
        response = await scheduling_api.get("/v1/availability", params=params, headers=clinic.desk)
        return [
            slot["start"][11:16]
            for slot in response.json()["slots"]
            if slot["start"] < "2026-12-07T10:30"
        ]

    assert await starts() == [
        "08:00",
        "08:15",
        "08:30",
        "08:45",
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
    ]
    booked = (await clinic.book()).json()  # 09:00-09:45
    assert await starts() == ["08:00", "08:15", "09:45", "10:00", "10:15"]
    await scheduling_api.post(
        f"/v1/appointments/{booked['id']}/cancel", json={"reason": "Flu"}, headers=clinic.desk
    )
    assert "09:00" in await starts()
