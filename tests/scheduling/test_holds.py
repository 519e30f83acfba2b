"""Holds over HTTP: a held time blocks bookings and other holds of its therapist, room and
patient, and is hidden from the availability search, until it is confirmed (booked through
the booking's own checks), released, or expires (then it blocks nothing, with nothing to
sweep it); bad input is refused naming the field, with nothing written; an Idempotency-Key
makes a retry, and 20 racing copies, hold once."""

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from services.scheduling.models import Appointment, AuditEvent, Hold
from tests.factories import make_patient
from tests.scheduling.booking import (
    MONDAY_9,
    NOW,
    Clinic,
    a_clinic,
    add_therapist,
    appointments_of,
    fix_clock,
    seeded_clinic,
)
from tests.scheduling.factories import fix_now, make_therapist, make_time_off

PROBLEM_JSON = "application/problem+json"
MONDAY = "2026-12-07"
IN_FLIGHT = "https://clinic.example/problems/idempotency-key-in-use"


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    set_clock(monkeypatch)


def set_clock(monkeypatch, moment=NOW) -> None:
    """Bookings, holds and the availability search all read `moment` as now."""
    fix_clock(monkeypatch, moment)
    fix_now(monkeypatch, moment)


def hold_body(clinic: Clinic, **fields) -> dict:
    body = {
        "therapist_id": str(clinic.therapist.id),
        "location": clinic.location.slug,
        "type": "treatment",
        "start": MONDAY_9,
    }
    return body | fields


async def hold(clinic: Clinic, **fields) -> httpx.Response:
    return await clinic.api.post("/v1/holds", json=hold_body(clinic, **fields), headers=clinic.desk)


async def holds_of(db, therapist_id) -> int:
    statement = select(func.count()).where(col(Hold.therapist_id) == therapist_id)
    return int((await db.exec(statement)).one())


def refused(response: httpx.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    if field is not None:
        assert body["errors"][0]["loc"] == field.split("."), body
    return body


async def free_starts(clinic: Clinic) -> list[str]:
    params = {
        "location": clinic.location.slug,
        "type": "treatment",
        "from": MONDAY,
        "to": MONDAY,
        "therapist_id": str(clinic.therapist.id),
    }
    response = await clinic.api.get("/v1/availability", params=params, headers=clinic.desk)
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()["slots"]]


# -- holding ------------------------------------------------------------------------------------


async def test_a_hold_is_stored_and_answered_on_the_clinics_clock(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    response = await hold(clinic, room="Gym", patient_id=str(clinic.patient.id))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/holds/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["start"], body["end"]) == (MONDAY_9, "2026-12-07T09:45:00-05:00")
    assert body["expires_at"] == "2026-12-07T08:10:00-05:00"  # 10 minutes by default
    assert (body["status"], body["type"], body["room"]) == ("held", "treatment", "Gym")
    assert body["appointment_id"] is None and body["freed_appointment_id"] is None
    read = await scheduling_api.get(f"/v1/holds/{body['id']}", headers=clinic.desk)
    assert read.status_code == 200 and read.json() == body
    trail = select(AuditEvent).where(AuditEvent.entity_id == body["id"]).order_by(AuditEvent.id)
    rows = (await db.exec(trail)).all()
    assert [(r.action, r.patient_id) for r in rows] == [
        ("hold.create", clinic.patient.id),
        ("hold.read", clinic.patient.id),
    ]


async def test_a_hold_never_outlives_the_start_of_its_visit(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    response = await hold(clinic, start="2026-12-07T08:15:00-05:00", minutes=60)
    assert response.json()["expires_at"] == "2026-12-07T08:15:00-05:00"


async def test_a_held_time_cannot_be_booked_by_anyone_else(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    held = (await hold(clinic, room="Gym", patient_id=str(clinic.patient.id))).json()
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    other = await make_patient(db)
    attempts = {
        "therapist": clinic.booking(patient_id=str(other.id), start="2026-12-07T09:30:00-05:00"),
        "room": clinic.booking(
            patient_id=str(other.id), therapist_id=str(colleague.id), room="Gym"
        ),
        "patient": clinic.booking(therapist_id=str(colleague.id)),
    }
    for whose, booking in attempts.items():
        response = await scheduling_api.post("/v1/appointments", json=booking, headers=clinic.desk)
        body = refused(response, 409)
        assert body["hold_id"] == held["id"], whose
        assert body["hold_expires_at"] == "2026-12-07T08:10:00-05:00"
        assert f"the {whose}" in body["detail"] and "08:10" in body["detail"]
    assert await appointments_of(db, other.id) == await appointments_of(db, clinic.patient.id) == 0
    moved_onto = await clinic.book(start="2026-12-07T11:00:00-05:00", patient_id=str(other.id))
    move = await scheduling_api.post(
        f"/v1/appointments/{moved_onto.json()['id']}/reschedule",
        json={"start": MONDAY_9},
        headers=clinic.desk,
    )
    assert refused(move, 409)["hold_id"] == held["id"]


async def test_a_hold_is_refused_where_a_visit_or_another_hold_is(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    clash = refused(await hold(clinic, start="2026-12-07T09:30:00-05:00"), 409)
    assert clash["clashes_with"] == booked["id"]
    first = (await hold(clinic, start="2026-12-07T11:00:00-05:00")).json()
    second = refused(await hold(clinic, start="2026-12-07T11:15:00-05:00"), 409)
    assert second["hold_id"] == first["id"]
    away = NOW + timedelta(hours=6)  # 14:00 to 16:00
    await make_time_off(db, clinic.therapist.id, away, away + timedelta(hours=2))
    refused(await hold(clinic, start="2026-12-07T14:30:00-05:00"), 409)
    assert await holds_of(db, clinic.therapist.id) == 1


async def test_the_availability_search_hides_a_held_slot(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    assert MONDAY_9 in await free_starts(clinic)
    held = (await hold(clinic)).json()
    starts = await free_starts(clinic)
    assert not {"2026-12-07T08:30:00-05:00", MONDAY_9, "2026-12-07T09:30:00-05:00"} & set(starts)
    assert "2026-12-07T09:45:00-05:00" in starts
    released = await scheduling_api.delete(f"/v1/holds/{held['id']}", headers=clinic.desk)
    assert released.status_code == 204
    assert MONDAY_9 in await free_starts(clinic)


async def test_an_expired_hold_blocks_nothing(scheduling_api, apps, db, monkeypatch):
    clinic = await a_clinic(scheduling_api, apps, db)
    held = (await hold(clinic, patient_id=str(clinic.patient.id))).json()
    set_clock(monkeypatch, NOW + timedelta(minutes=10))  # 08:10: expires_at is past
    assert MONDAY_9 in await free_starts(clinic)
    read = await scheduling_api.get(f"/v1/holds/{held['id']}", headers=clinic.desk)
    assert read.json()["status"] == "expired"
    confirm = await scheduling_api.post(
        f"/v1/holds/{held['id']}/confirm", json={}, headers=clinic.desk
    )
    assert refused(confirm, 409)["status_now"] == "expired"
    again = await hold(clinic)
    assert again.status_code == 201, again.text
    await scheduling_api.delete(f"/v1/holds/{again.json()['id']}", headers=clinic.desk)
    booked = await clinic.book()
    assert booked.status_code == 201, booked.text


# -- confirming and releasing -------------------------------------------------------------------


async def test_confirming_books_the_held_time_once(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    held = (await hold(clinic, room="Gym", patient_id=str(clinic.patient.id))).json()
    confirm = await scheduling_api.post(
        f"/v1/holds/{held['id']}/confirm", json={}, headers=clinic.desk
    )
    assert confirm.status_code == 201, confirm.text
    visit = confirm.json()
    assert confirm.headers["location"] == f"/v1/appointments/{visit['id']}"
    assert confirm.headers["etag"] == '"1"'
    assert (visit["start"], visit["room"], visit["status"]) == (MONDAY_9, "Gym", "booked")
    assert visit["patient_id"] == str(clinic.patient.id) and visit["warnings"] == []
    read = (await scheduling_api.get(f"/v1/holds/{held['id']}", headers=clinic.desk)).json()
    assert (read["status"], read["appointment_id"], read["version"]) == (
        "confirmed",
        visit["id"],
        2,
    )
    again = await scheduling_api.post(
        f"/v1/holds/{held['id']}/confirm", json={}, headers=clinic.desk
    )
    assert refused(again, 409)["appointment_id"] == visit["id"]
    assert await appointments_of(db, clinic.patient.id) == 1
    release = await scheduling_api.delete(f"/v1/holds/{held['id']}", headers=clinic.desk)
    assert "cancel the appointment" in refused(release, 409)["detail"]
    about = col(AuditEvent.entity_id).in_([held["id"], visit["id"]])
    statement = select(AuditEvent.action).where(about).order_by(col(AuditEvent.id))
    assert (await db.exec(statement)).all() == [
        "hold.create",
        "appointment.book",
        "hold.confirm",
        "hold.read",
        "hold.confirm",  # the refused second confirmation
        "hold.release",  # refused too
    ]


async def test_confirming_names_the_patient_when_the_hold_does_not(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    anonymous = (await hold(clinic)).json()
    url = f"/v1/holds/{anonymous['id']}/confirm"
    refused(await scheduling_api.post(url, json={}, headers=clinic.desk), 422, "body.patient_id")
    unknown = {"patient_id": str(uuid.uuid4())}
    refused(await scheduling_api.post(url, json=unknown, headers=clinic.desk), 404)
    named = {"patient_id": str(clinic.patient.id)}
    confirmed = await scheduling_api.post(url, json=named, headers=clinic.desk)
    assert confirmed.status_code == 201, confirmed.text
    someone = await hold(clinic, start="2026-12-07T11:00:00-05:00", patient_id=named["patient_id"])
    other = {"patient_id": str((await make_patient(db)).id)}
    url = f"/v1/holds/{someone.json()['id']}/confirm"
    response = await scheduling_api.post(url, json=other, headers=clinic.desk)
    assert "another patient" in refused(response, 422, "body.patient_id")["detail"]
    assert await appointments_of(db, uuid.UUID(other["patient_id"])) == 0


async def test_a_released_hold_frees_its_time(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    held = (await hold(clinic)).json()
    url = f"/v1/holds/{held['id']}"
    assert (await scheduling_api.delete(url, headers=clinic.desk)).status_code == 204
    assert (await scheduling_api.delete(url, headers=clinic.desk)).status_code == 204
    read = (await scheduling_api.get(url, headers=clinic.desk)).json()
    assert (read["status"], read["version"]) == ("released", 2)
    confirm = await scheduling_api.post(
        f"{url}/confirm", json={"patient_id": str(clinic.patient.id)}, headers=clinic.desk
    )
    assert refused(confirm, 409)["status_now"] == "released"
    assert (await clinic.book()).status_code == 201


async def test_an_unknown_hold_is_404(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    url = f"/v1/holds/{uuid.uuid4()}"
    for method, path, body in (
        ("GET", url, None),
        ("DELETE", url, None),
        ("POST", f"{url}/confirm", {}),
    ):
        response = await scheduling_api.request(method, path, json=body, headers=clinic.desk)
        assert refused(response, 404)["detail"] == "No hold with this id."


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"minutes": 0}, "body.minutes"),
        ({"minutes": 61}, "body.minutes"),
        ({"start": "2026-12-07T09:00:00"}, "body.start"),  # naive: names no instant
        ({"start": "2026-12-07T09:10:00-05:00"}, "body.start"),  # off the grid
        ({"start": "2026-12-07T07:45:00-05:00"}, "body.start"),  # past
        ({"start": "2026-12-07T20:00:00-05:00"}, "body.start"),  # outside their hours
        ({"location": "nowhere"}, "body.location"),
        ({"type": "massage"}, "body.type"),
        ({"room": "Pool"}, "body.room"),
        ({"patient_id": "not-an-id"}, "body.patient_id"),
        ({"held_for": "ever"}, "body.held_for"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(scheduling_api, apps, db, fields, field):
    clinic = await a_clinic(scheduling_api, apps, db)
    refused(await hold(clinic, **fields), 422, field)
    assert await holds_of(db, clinic.therapist.id) == 0


async def test_an_archived_or_unknown_patient_is_not_held_for(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    archived = await make_patient(
        db, status="archived", archived_at=NOW, archive_reason="moved away"
    )
    refused(await hold(clinic, patient_id=str(archived.id)), 422, "body.patient_id")
    refused(await hold(clinic, patient_id=str(uuid.uuid4())), 404)
    assert await holds_of(db, clinic.therapist.id) == 0


# -- safe retries -------------------------------------------------------------------------------


async def test_the_same_idempotency_key_holds_once(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    keyed = clinic.desk | {"Idempotency-Key": str(uuid.uuid4())}
    body = hold_body(clinic)
    first = await scheduling_api.post("/v1/holds", json=body, headers=keyed)
    again = await scheduling_api.post("/v1/holds", json=body, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    other = await scheduling_api.post("/v1/holds", json=hold_body(clinic, minutes=5), headers=keyed)
    refused(other, 422, "header.Idempotency-Key")
    assert await holds_of(db, clinic.therapist.id) == 1


async def test_twenty_copies_of_one_idempotency_key_hold_once(committed_apis, committed_db, apps):
    api = committed_apis["scheduling"]
    clinic = await seeded_clinic(api, apps, committed_db)
    keyed = clinic.desk | {"Idempotency-Key": str(uuid.uuid4())}
    body = hold_body(clinic, start="2026-12-08T09:00:00-05:00")
    responses = await asyncio.gather(
        *(api.post("/v1/holds", json=body, headers=keyed) for _ in range(20))
    )
    created = [r for r in responses if r.status_code == 201]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(created) + len(in_flight) == 20, sorted(r.status_code for r in responses)
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    assert {r.content for r in created} == {originals[0].content}
    assert {r.json()["type"] for r in in_flight} <= {IN_FLIGHT}
    assert await holds_of(committed_db, clinic.therapist.id) == 1


async def test_twenty_holds_of_one_slot_one_wins(committed_apis, committed_db, apps):
    api = committed_apis["scheduling"]
    clinic = await seeded_clinic(api, apps, committed_db)
    body = hold_body(clinic, start="2026-12-08T10:00:00-05:00")
    responses = await asyncio.gather(
        *(api.post("/v1/holds", json=body, headers=clinic.desk) for _ in range(20))
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    (winner,) = [r.json()["id"] for r in responses if r.status_code == 201]
    assert {r.json()["hold_id"] for r in responses if r.status_code == 409} == {winner}
    assert await holds_of(committed_db, clinic.therapist.id) == 1
    booked = select(func.count()).where(col(Appointment.therapist_id) == clinic.therapist.id)
    assert (await committed_db.exec(booked)).one() == 0
