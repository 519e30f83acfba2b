"""The moves of an appointment over HTTP: each only from the statuses where it makes sense
(409 naming the moves allowed), by whom it may be made, what it records; cancelling late and
a patient's own cancellation; rescheduling in one transaction."""

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from services.scheduling.models import Appointment, AuditEvent
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.scheduling.booking import NOW, a_clinic, add_therapist, fix_clock
from tests.scheduling.factories import make_clinic, make_therapist

TUESDAY_9 = "2026-12-08T09:00:00-05:00"


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


async def _move(api, appointment: dict, move: str, headers, body=None) -> httpx.Response:
    return await api.post(
        f"/v1/appointments/{appointment['id']}/{move}", json=body, headers=headers
    )


async def test_a_visit_is_checked_in_completed_and_the_completion_undone(
    scheduling_api, apps, db, monkeypatch
):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    fix_clock(monkeypatch, NOW + timedelta(hours=1, minutes=5))  # 09:05, the visit has begun
    api, desk = scheduling_api, clinic.desk
    checked_in = await _move(api, booked, "check-in", desk)
    assert (checked_in.json()["status"], checked_in.headers["etag"]) == ("checked_in", '"2"')
    assert checked_in.json()["moves"] == ["complete"]
    completed = await _move(api, booked, "complete", desk)
    assert completed.json()["status"] == "completed" and completed.json()["moves"] == [
        "undo-completion"
    ]
    undone = await _move(api, booked, "undo-completion", desk)
    assert (undone.json()["status"], undone.json()["version"]) == ("checked_in", 4)
    actions = (
        await db.exec(select(AuditEvent.action).where(AuditEvent.entity_id == booked["id"]))
    ).all()
    assert actions == [
        "appointment.book",
        "appointment.check_in",
        "appointment.complete",
        "appointment.undo_completion",
    ]


async def test_a_move_from_the_wrong_status_is_409_naming_the_allowed_ones(
    scheduling_api, apps, db
):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    refused = await _move(scheduling_api, booked, "complete", clinic.desk)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "The appointment is booked: complete is not a move from there. The moves allowed are: "
        "check-in, no-show, cancel, reschedule."
    )
    assert refused.json()["allowed_moves"] == ["check-in", "no-show", "cancel", "reschedule"]
    await _move(scheduling_api, booked, "cancel", clinic.desk, {"reason": "Flu"})
    final = await _move(scheduling_api, booked, "check-in", clinic.desk)
    assert final.status_code == 409 and final.json()["allowed_moves"] == []
    stored = await db.get(Appointment, uuid.UUID(booked["id"]))
    assert stored.status == "cancelled" and stored.version == 2


async def test_a_no_show_is_marked_once_the_visit_has_begun_and_frees_the_time(
    scheduling_api, apps, db, monkeypatch
):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    early = await _move(scheduling_api, booked, "no-show", clinic.desk)
    assert early.status_code == 409 and "not begun" in early.json()["detail"]
    fix_clock(monkeypatch, NOW + timedelta(hours=1, minutes=15))  # 09:15
    assert (await _move(scheduling_api, booked, "no-show", clinic.desk)).status_code == 200
    walk_in = await make_patient(db)
    later = await clinic.book(patient_id=str(walk_in.id), start="2026-12-07T09:30:00-05:00")
    assert later.status_code == 201, later.text


async def test_a_therapist_marks_their_own_visits_only(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    own = bearer(token_for(apps, clinic.therapist))
    assert (await _move(scheduling_api, booked, "check-in", own)).status_code == 200
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    other = bearer(token_for(apps, colleague))
    refused = await _move(scheduling_api, booked, "complete", other)
    assert refused.status_code == 403 and "own visits" in refused.json()["detail"]
    cancel = await _move(scheduling_api, booked, "cancel", own, {"reason": "x"})
    assert cancel.status_code == 403
    denied = (
        await db.exec(
            select(AuditEvent).where(
                AuditEvent.entity_id == booked["id"], AuditEvent.outcome == "denied"
            )
        )
    ).all()
    assert [(d.action, d.actor_user_id, d.detail["status"]) for d in denied] == [
        ("appointment.complete", colleague.id, 403)
    ]


async def test_a_therapist_of_another_clinic_reaches_no_appointment_here(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    elsewhere, stranger = await make_clinic(db), await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, elsewhere, stranger)
    headers = bearer(token_for(apps, stranger))
    read = await scheduling_api.get(f"/v1/appointments/{booked['id']}", headers=headers)
    assert read.status_code == 403
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    read = await scheduling_api.get(
        f"/v1/appointments/{booked['id']}", headers=bearer(token_for(apps, colleague))
    )
    assert read.status_code == 200


@pytest.mark.parametrize(
    ("start", "late"), [(TUESDAY_9, False), ("2026-12-07T09:00:00-05:00", True)]
)
async def test_a_cancellation_within_24_hours_is_recorded_as_late(
    scheduling_api, apps, db, start, late
):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book(start=start)).json()
    response = await _move(
        scheduling_api, booked, "cancel", clinic.desk, {"reason": "Car broke down"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["cancel_reason"], body["late_cancellation"]) == (
        "cancelled",
        "Car broke down",
        late,
    )
    assert body["cancelled_at"] is not None


async def test_a_patient_cancels_their_own_not_within_24_hours(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    login = await make_account(db, role="patient", patient=clinic.patient)
    own = bearer(token_for(apps, login))
    soon = (await clinic.book()).json()
    refused = await _move(scheduling_api, soon, "cancel", own, {"reason": "busy"})
    assert refused.status_code == 409 and "call the clinic" in refused.json()["detail"]
    later = (await clinic.book(start=TUESDAY_9)).json()
    cancelled = await _move(scheduling_api, later, "cancel", own, {"reason": "busy"})
    assert cancelled.status_code == 200 and cancelled.json()["late_cancellation"] is False
    for move in ("check-in", "reschedule"):
        assert (
            await _move(scheduling_api, later, move, own, {"start": TUESDAY_9})
        ).status_code == 403


async def test_another_patients_appointment_is_404_like_an_unknown_one(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book(start=TUESDAY_9)).json()
    stranger = await headers_for(db, apps, "patient")
    unknown = {"id": str(uuid.uuid4())}
    for target in (booked, unknown):
        read = await scheduling_api.get(f"/v1/appointments/{target['id']}", headers=stranger)
        cancel = await _move(scheduling_api, target, "cancel", stranger, {"reason": "x"})
        assert read.status_code == cancel.status_code == 404
        assert read.json()["detail"] == "No appointment with this id."
    stored = await db.get(Appointment, uuid.UUID(booked["id"]))
    assert stored.status == "booked"
    denied = (await db.exec(select(AuditEvent).where(AuditEvent.outcome == "denied"))).all()
    assert {(d.action, d.patient_id) for d in denied} >= {
        ("appointment.read", clinic.patient.id),
        ("appointment.cancel", clinic.patient.id),
    }


# -- rescheduling -------------------------------------------------------------------------------


async def test_a_reschedule_frees_the_old_time_and_takes_the_new(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book(room="Gym")).json()
    moved = await _move(scheduling_api, booked, "reschedule", clinic.desk, {"start": TUESDAY_9})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["id"], body["start"], body["room"], body["version"]) == (
        booked["id"],
        TUESDAY_9,
        "Gym",
        2,
    )
    assert moved.headers["etag"] == '"2"'
    other = await make_patient(db)
    assert (await clinic.book(patient_id=str(other.id), room="Gym")).status_code == 201


async def test_a_reschedule_onto_a_taken_time_keeps_the_old_one(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    other = await make_patient(db)
    taken = (await clinic.book(patient_id=str(other.id), start=TUESDAY_9)).json()
    refused = await _move(scheduling_api, booked, "reschedule", clinic.desk, {"start": TUESDAY_9})
    assert refused.status_code == 409 and refused.json()["clashes_with"] == taken["id"]
    stored = await db.get(Appointment, uuid.UUID(booked["id"]))
    await db.refresh(stored)
    assert (stored.starts_at, stored.version) == (NOW + timedelta(hours=1), 1)


async def test_a_reschedule_to_another_therapist_and_no_room(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book(room="Gym")).json()
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    body = {"start": TUESDAY_9, "therapist_id": str(colleague.id), "room": None}
    moved = (await _move(scheduling_api, booked, "reschedule", clinic.desk, body)).json()
    assert (moved["therapist_id"], moved["room"]) == (str(colleague.id), None)


async def test_only_a_booked_visit_is_rescheduled_and_by_the_same_rules(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    booked = (await clinic.book()).json()
    past = await _move(
        scheduling_api, booked, "reschedule", clinic.desk, {"start": "2026-12-06T09:00:00-05:00"}
    )
    assert past.status_code == 422 and past.json()["errors"][0]["loc"] == ["body", "start"]
    await _move(scheduling_api, booked, "check-in", clinic.desk)
    refused = await _move(scheduling_api, booked, "reschedule", clinic.desk, {"start": TUESDAY_9})
    assert refused.status_code == 409 and refused.json()["allowed_moves"] == ["complete"]
    missing = await _move(
        scheduling_api, {"id": uuid.uuid4()}, "reschedule", clinic.desk, {"start": TUESDAY_9}
    )
    assert missing.status_code == 404
