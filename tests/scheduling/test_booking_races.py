"""Bookings racing for the same time, with real concurrent requests and real commits: exactly
one wins, every other one hears 409 naming the winner, none a 500 (issue 8's bar). The
schedule locks make the losers wait their turn; the exclusion constraints decide."""

import asyncio
import uuid

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from services.scheduling.models import Appointment
from tests.factories import make_patient
from tests.scheduling.booking import WEEKDAYS_8_TO_6, add_therapist, fix_clock, seeded_clinic
from tests.scheduling.factories import make_therapist

IN_FLIGHT = "https://clinic.example/problems/idempotency-key-in-use"


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


async def booked_at(db, *, therapist_ids=(), patient_id=None) -> int:
    statement = select(func.count()).select_from(Appointment)
    if therapist_ids:
        statement = statement.where(col(Appointment.therapist_id).in_(therapist_ids))
    if patient_id:
        statement = statement.where(col(Appointment.patient_id) == patient_id)
    return int((await db.exec(statement)).one())


async def test_fifty_bookings_of_one_therapists_slot_one_wins(committed_apis, committed_db, apps):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    patients = [await make_patient(committed_db) for _ in range(50)]
    responses = await asyncio.gather(*(clinic.book(patient_id=str(p.id)) for p in patients))
    assert statuses(responses) == [201] + [409] * 49
    (winner,) = [r.json()["id"] for r in responses if r.status_code == 201]
    assert {r.json()["clashes_with"] for r in responses if r.status_code == 409} == {winner}
    assert await booked_at(committed_db, therapist_ids=[clinic.therapist.id]) == 1


async def test_fifty_bookings_of_one_patient_at_two_therapists_one_wins(
    committed_apis, committed_db, apps
):
    api = committed_apis["scheduling"]
    clinic = await seeded_clinic(api, apps, committed_db)
    colleague = await make_therapist(committed_db)
    await add_therapist(api, apps, committed_db, clinic.location, colleague, WEEKDAYS_8_TO_6)
    therapists = [clinic.therapist.id, colleague.id] * 25
    responses = await asyncio.gather(*(clinic.book(therapist_id=str(t)) for t in therapists))
    assert statuses(responses) == [201] + [409] * 49
    (winner,) = [r.json()["id"] for r in responses if r.status_code == 201]
    assert {r.json()["clashes_with"] for r in responses if r.status_code == 409} == {winner}
    assert await booked_at(committed_db, patient_id=clinic.patient.id) == 1


async def test_twenty_copies_of_one_idempotency_key_book_once(committed_apis, committed_db, apps):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    keyed = clinic.desk | {"Idempotency-Key": str(uuid.uuid4())}
    api, body = committed_apis["scheduling"], clinic.booking()
    responses = await asyncio.gather(
        *(api.post("/v1/appointments", json=body, headers=keyed) for _ in range(20))
    )
    created = [r for r in responses if r.status_code == 201]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(created) + len(in_flight) == 20, statuses(responses)
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    assert {r.content for r in created} == {originals[0].content}
    assert {r.json()["type"] for r in in_flight} <= {IN_FLIGHT}
    assert await booked_at(committed_db, patient_id=clinic.patient.id) == 1
    again = await api.post("/v1/appointments", json=body, headers=keyed)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.content == originals[0].content
    other = await api.post("/v1/appointments", json=clinic.booking(room="Gym"), headers=keyed)
    assert other.status_code == 422
    assert await booked_at(committed_db, patient_id=clinic.patient.id) == 1
