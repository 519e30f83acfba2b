"""The wait list over HTTP: entries added, read, listed oldest first and withdrawn; a
cancellation offers its freed time to the oldest entries it suits (one hold for all of them,
listed in the cancellation's answer); the first to accept books it and the others are told it
is gone, also when the accepts race (exactly one wins); an expired or taken-back offer is
refused; who may see and do what."""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from services.patients.models import Patient
from services.scheduling.models import Appointment, AuditEvent, Hold, WaitlistEntry
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.scheduling.booking import (
    NOW,
    Clinic,
    a_clinic,
    add_therapist,
    fix_clock,
    seeded_clinic,
)
from tests.scheduling.factories import fix_now, make_clinic, make_therapist

PROBLEM_JSON = "application/problem+json"
CONFLICT = "https://clinic.example/problems/conflict"
TUESDAY_9 = "2026-12-08T09:00:00-05:00"  # a Tuesday (weekday 1), 25 hours ahead
TUESDAY_10 = "2026-12-08T10:00:00-05:00"
OFFERS_UNTIL = "2026-12-07T08:30:00-05:00"  # the clock's 08:00 and 30 minutes


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    set_clock(monkeypatch)


def set_clock(monkeypatch, moment=NOW) -> None:
    fix_clock(monkeypatch, moment)
    fix_now(monkeypatch, moment)


def refused(response: httpx.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    if field is not None:
        assert [str(part) for part in body["errors"][0]["loc"]] == field.split("."), body
    return body


def entry_body(clinic: Clinic, patient_id, **fields) -> dict:
    body = {"patient_id": str(patient_id), "location": clinic.location.slug, "type": "treatment"}
    return body | fields


async def add_entry(db, clinic: Clinic, patient_id=None, **fields) -> dict:
    """An entry through the API, of a new patient unless told."""
    patient_id = patient_id or (await make_patient(db)).id
    body = entry_body(clinic, patient_id, **fields)
    response = await clinic.api.post("/v1/waitlist", json=body, headers=clinic.desk)
    assert response.status_code == 201, response.text
    return response.json()


async def read_entry(clinic: Clinic, entry: dict, headers=None) -> dict:
    response = await clinic.api.get(f"/v1/waitlist/{entry['id']}", headers=headers or clinic.desk)
    assert response.status_code == 200, response.text
    return response.json()


async def cancel(clinic: Clinic, visit: dict, headers=None) -> httpx.Response:
    return await clinic.api.post(
        f"/v1/appointments/{visit['id']}/cancel",
        json={"reason": "Flu"},
        headers=headers or clinic.desk,
    )


async def accept(api, offer_id, headers) -> httpx.Response:
    return await api.post(f"/v1/waitlist/offers/{offer_id}/accept", headers=headers)


async def booked(clinic: Clinic, **fields) -> dict:
    response = await clinic.book(start=TUESDAY_9, **fields)
    assert response.status_code == 201, response.text
    return response.json()


async def login_of(db, apps, patient_id) -> dict[str, str]:
    """The headers of the patient's own login."""
    patient = await db.get(Patient, uuid.UUID(str(patient_id)))
    return bearer(token_for(apps, await make_account(db, role="patient", patient=patient)))


# -- entries ------------------------------------------------------------------------------------


async def test_an_entry_is_stored_and_read_back(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    body = entry_body(
        clinic,
        clinic.patient.id,
        therapist_id=str(clinic.therapist.id),
        weekdays=[3, 1, 1],
        earliest="08:00",
        latest="12:00",
        note="Can come at short notice",
    )
    response = await scheduling_api.post("/v1/waitlist", json=body, headers=clinic.desk)
    assert response.status_code == 201, response.text
    entry = response.json()
    assert response.headers["location"] == f"/v1/waitlist/{entry['id']}"
    assert response.headers["etag"] == '"1"'
    assert (entry["weekdays"], entry["earliest"], entry["latest"]) == ([1, 3], "08:00", "12:00")
    assert (entry["status"], entry["offers"], entry["type"]) == ("waiting", [], "treatment")
    assert await read_entry(clinic, entry) == entry
    trail = select(AuditEvent).where(AuditEvent.entity_id == entry["id"]).order_by(AuditEvent.id)
    rows = (await db.exec(trail)).all()
    assert [(r.action, r.patient_id) for r in rows] == [
        ("waitlist.add", clinic.patient.id),
        ("waitlist.read", clinic.patient.id),
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"location": "nowhere"}, "body.location"),
        ({"type": "massage"}, "body.type"),
        ({"therapist_id": str(uuid.uuid4())}, "body.therapist_id"),  # works nowhere there
        ({"earliest": "12:00", "latest": "12:00"}, "body.latest"),
        ({"earliest": "8am"}, "body.earliest"),
        ({"weekdays": [7]}, "body.weekdays.0"),
        ({"weekdays": [0, 1, 2, 3, 4, 5, 6, 0]}, "body.weekdays"),
        ({"note": ""}, "body.note"),
        ({"when": "soon"}, "body.when"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(scheduling_api, apps, db, fields, field):
    clinic = await a_clinic(scheduling_api, apps, db)
    body = entry_body(clinic, clinic.patient.id, **fields)
    refused(await scheduling_api.post("/v1/waitlist", json=body, headers=clinic.desk), 422, field)
    statement = select(func.count()).where(col(WaitlistEntry.patient_id) == clinic.patient.id)
    assert (await db.exec(statement)).one() == 0


async def test_an_unknown_or_archived_patient_is_not_put_on_the_list(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    archived = await make_patient(db, status="archived", archived_at=NOW, archive_reason="gone")
    body = entry_body(clinic, archived.id)
    response = await scheduling_api.post("/v1/waitlist", json=body, headers=clinic.desk)
    refused(response, 422, "body.patient_id")
    body = entry_body(clinic, uuid.uuid4())
    refused(await scheduling_api.post("/v1/waitlist", json=body, headers=clinic.desk), 404)
    patients = col(WaitlistEntry.patient_id).in_([archived.id, uuid.UUID(body["patient_id"])])
    assert (await db.exec(select(func.count()).where(patients))).one() == 0


async def test_the_list_is_oldest_first_in_pages_and_filtered(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    entries = [await add_entry(db, clinic) for _ in range(3)]
    named = await add_entry(db, clinic, therapist_id=str(clinic.therapist.id))
    params = {"location": clinic.location.slug, "limit": 2}
    first = (await scheduling_api.get("/v1/waitlist", params=params, headers=clinic.desk)).json()
    cursor = {"cursor": first["next_cursor"]}
    second = await scheduling_api.get("/v1/waitlist", params=params | cursor, headers=clinic.desk)
    ids = [e["id"] for e in first["items"] + second.json()["items"]]
    assert ids == [e["id"] for e in [*entries, named]]
    assert second.json()["next_cursor"] is None
    by_therapist = {"therapist_id": str(clinic.therapist.id), "status": "waiting"}
    found = await scheduling_api.get("/v1/waitlist", params=by_therapist, headers=clinic.desk)
    assert [e["id"] for e in found.json()["items"]] == [named["id"]]
    offered = {"location": clinic.location.slug, "status": "offered"}
    found = await scheduling_api.get("/v1/waitlist", params=offered, headers=clinic.desk)
    assert found.json()["items"] == []
    nowhere = {"location": "nowhere"}
    response = await scheduling_api.get("/v1/waitlist", params=nowhere, headers=clinic.desk)
    refused(response, 422, "query.location")


async def test_an_entry_is_withdrawn_once(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    entry = await add_entry(db, clinic, clinic.patient.id)
    url = f"/v1/waitlist/{entry['id']}/withdraw"
    withdrawn = await scheduling_api.post(url, headers=clinic.desk)
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.headers["etag"]) == ("withdrawn", '"2"')
    assert (
        "withdrawn" in refused(await scheduling_api.post(url, headers=clinic.desk), 409)["detail"]
    )


async def test_a_patient_reaches_only_their_own_entries(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    own = await login_of(db, apps, clinic.patient.id)
    mine = await add_entry(db, clinic, clinic.patient.id)
    theirs = await add_entry(db, clinic)
    assert (await read_entry(clinic, mine, own))["id"] == mine["id"]
    for target in (theirs, {"id": str(uuid.uuid4())}):
        read = await scheduling_api.get(f"/v1/waitlist/{target['id']}", headers=own)
        withdraw = await scheduling_api.post(f"/v1/waitlist/{target['id']}/withdraw", headers=own)
        assert refused(read, 404)["detail"] == refused(withdraw, 404)["detail"]
    withdrawn = await scheduling_api.post(f"/v1/waitlist/{mine['id']}/withdraw", headers=own)
    assert withdrawn.status_code == 200
    listed = await scheduling_api.get("/v1/waitlist", headers=own)
    assert listed.status_code == 403


async def test_a_therapist_reads_the_wait_lists_of_their_clinics(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    entry = await add_entry(db, clinic)
    theirs = bearer(token_for(apps, clinic.therapist))
    assert (await read_entry(clinic, entry, theirs))["id"] == entry["id"]
    elsewhere = await make_therapist(db)
    other_clinic = await make_clinic(db)
    await add_therapist(scheduling_api, apps, db, other_clinic, elsewhere)
    outsider = bearer(token_for(apps, elsewhere))
    refused(await scheduling_api.get(f"/v1/waitlist/{entry['id']}", headers=outsider), 403)
    listed = await scheduling_api.get("/v1/waitlist", headers=outsider)
    assert entry["id"] not in [e["id"] for e in listed.json()["items"]]


# -- offers -------------------------------------------------------------------------------------


async def test_a_cancellation_offers_the_time_to_the_oldest_entries(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    visit = await booked(clinic, room="Gym")
    entries = [await add_entry(db, clinic) for _ in range(4)]  # the 4th is one too many
    response = await cancel(clinic, visit)
    assert response.status_code == 200, response.text
    offers = response.json()["offers"]
    assert [o["entry_id"] for o in offers] == [e["id"] for e in entries[:3]]
    assert [o["patient_id"] for o in offers] == [e["patient_id"] for e in entries[:3]]
    assert {o["expires_at"] for o in offers} == {OFFERS_UNTIL}
    (hold_id,) = {o["hold_id"] for o in offers}
    held = (await scheduling_api.get(f"/v1/holds/{hold_id}", headers=clinic.desk)).json()
    assert (held["freed_appointment_id"], held["status"], held["room"]) == (
        visit["id"],
        "held",
        "Gym",
    )
    first = await read_entry(clinic, entries[0])
    assert first["status"] == "offered"
    (offer,) = first["offers"]
    assert (offer["id"], offer["status"], offer["start"], offer["end"]) == (
        offers[0]["offer_id"],
        "offered",
        TUESDAY_9,
        "2026-12-08T09:45:00-05:00",
    )
    assert (await read_entry(clinic, entries[3]))["status"] == "waiting"
    someone = await make_patient(db)
    taken = await clinic.book(start=TUESDAY_9, patient_id=str(someone.id))
    assert refused(taken, 409)["hold_id"] == hold_id
    offered = col(AuditEvent.entity_id).in_([o["offer_id"] for o in offers])
    rows = (await db.exec(select(AuditEvent).where(offered))).all()
    assert sorted((r.action, str(r.patient_id)) for r in rows) == sorted(
        ("waitlist.offer", o["patient_id"]) for o in offers
    )


async def test_only_entries_the_freed_time_suits_are_offered(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    other_clinic = await a_clinic(scheduling_api, apps, db)
    busy = await make_patient(db)
    await clinic.book(start=TUESDAY_9, patient_id=str(busy.id), therapist_id=str(colleague.id))
    visit = await booked(clinic)  # a treatment: 45 minutes from Tuesday 09:00
    suited = [
        await add_entry(db, clinic),
        await add_entry(
            db,
            clinic,
            therapist_id=str(clinic.therapist.id),
            weekdays=[1],
            earliest="09:00",
            latest="09:45",
        ),
    ]
    withdrawn = await add_entry(db, clinic)
    await scheduling_api.post(f"/v1/waitlist/{withdrawn['id']}/withdraw", headers=clinic.desk)
    for fields in (
        {"therapist_id": str(colleague.id)},
        {"weekdays": [0, 2]},
        {"earliest": "09:15"},
        {"latest": "09:30"},
        {"type": "evaluation"},  # 60 minutes: longer than the time freed
        {"patient_id": busy.id},  # has a visit then
        {"patient_id": clinic.patient.id},  # gave the time up
    ):
        await add_entry(db, clinic, **fields)
    await add_entry(db, other_clinic)
    offers = (await cancel(clinic, visit)).json()["offers"]
    assert [o["entry_id"] for o in offers] == [e["id"] for e in suited]


async def test_the_first_to_accept_books_and_the_others_hear_it_is_gone(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    visit = await booked(clinic, type="evaluation", room="Gym")  # 60 minutes
    first, second = await add_entry(db, clinic), await add_entry(db, clinic)
    offers = (await cancel(clinic, visit)).json()["offers"]
    own = await login_of(db, apps, first["patient_id"])
    taken = await accept(scheduling_api, offers[0]["offer_id"], own)
    assert taken.status_code == 201, taken.text
    appointment = taken.json()
    assert taken.headers["location"] == f"/v1/appointments/{appointment['id']}"
    assert (appointment["patient_id"], appointment["start"], appointment["end"]) == (
        first["patient_id"],
        TUESDAY_9,
        "2026-12-08T09:45:00-05:00",  # the entry's treatment, in the evaluation's hour
    )
    assert (appointment["room"], appointment["type"]) == ("Gym", "treatment")
    winner = await read_entry(clinic, first)
    assert (winner["status"], winner["appointment_id"]) == ("booked", appointment["id"])
    assert winner["offers"][0]["status"] == "accepted"
    loser = await read_entry(clinic, second)
    assert (loser["status"], loser["offers"][0]["status"]) == ("waiting", "gone")
    late = await accept(scheduling_api, offers[1]["offer_id"], clinic.desk)
    body = refused(late, 409)
    assert (body["detail"], body["type"]) == ("The slot went to another patient.", CONFLICT)
    twice = await accept(scheduling_api, offers[0]["offer_id"], own)
    assert refused(twice, 409)["appointment_id"] == appointment["id"]
    hold = await scheduling_api.get(f"/v1/holds/{offers[0]['hold_id']}", headers=clinic.desk)
    assert (hold.json()["status"], hold.json()["appointment_id"]) == (
        "confirmed",
        appointment["id"],
    )


async def test_an_offer_is_its_patients_alone(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    visit = await booked(clinic)
    await add_entry(db, clinic)
    (offer,) = (await cancel(clinic, visit)).json()["offers"]
    stranger = await headers_for(db, apps, "patient")
    for offer_id in (offer["offer_id"], uuid.uuid4()):
        response = await accept(scheduling_api, offer_id, stranger)
        assert refused(response, 404)["detail"] == "No wait-list offer with this id."
    therapist = bearer(token_for(apps, clinic.therapist))
    refused(await accept(scheduling_api, offer["offer_id"], therapist), 403)
    denied = select(AuditEvent).where(
        AuditEvent.action == "waitlist.offer.accept", AuditEvent.outcome == "denied"
    )
    rows = (await db.exec(denied)).all()
    assert str(offer["patient_id"]) in {str(r.patient_id) for r in rows}
    accepted = await accept(scheduling_api, offer["offer_id"], clinic.desk)
    assert accepted.status_code == 201, accepted.text


async def test_an_expired_offer_is_refused_and_its_entry_waits_again(
    scheduling_api, apps, db, monkeypatch
):
    clinic = await a_clinic(scheduling_api, apps, db)
    visit = await booked(clinic)
    entry = await add_entry(db, clinic)
    (offer,) = (await cancel(clinic, visit)).json()["offers"]
    set_clock(monkeypatch, NOW + timedelta(minutes=30))
    response = await accept(scheduling_api, offer["offer_id"], clinic.desk)
    assert refused(response, 409)["status_now"] == "expired"
    read = await read_entry(clinic, entry)
    assert (read["status"], read["offers"][0]["status"]) == ("waiting", "expired")
    someone = await make_patient(db)
    assert (await clinic.book(start=TUESDAY_9, patient_id=str(someone.id))).status_code == 201


async def test_a_hold_released_takes_its_offers_back(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    visit = await booked(clinic)
    entry = await add_entry(db, clinic)
    (offer,) = (await cancel(clinic, visit)).json()["offers"]
    url = f"/v1/holds/{offer['hold_id']}"
    confirm = await scheduling_api.post(
        f"{url}/confirm", json={"patient_id": entry["patient_id"]}, headers=clinic.desk
    )
    assert "accepting one of its offers" in refused(confirm, 409)["detail"]
    assert (await scheduling_api.delete(url, headers=clinic.desk)).status_code == 204
    read = await read_entry(clinic, entry)
    assert (read["status"], read["offers"][0]["status"]) == ("waiting", "gone")
    response = await accept(scheduling_api, offer["offer_id"], clinic.desk)
    assert "took the offer back" in refused(response, 409)["detail"]


async def test_a_withdrawn_entry_cannot_accept(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    visit = await booked(clinic)
    entry = await add_entry(db, clinic)
    (offer,) = (await cancel(clinic, visit)).json()["offers"]
    await scheduling_api.post(f"/v1/waitlist/{entry['id']}/withdraw", headers=clinic.desk)
    assert (await read_entry(clinic, entry))["offers"][0]["status"] == "gone"
    refused(await accept(scheduling_api, offer["offer_id"], clinic.desk), 409)


async def test_nothing_is_offered_for_a_time_begun_or_suiting_nobody(
    scheduling_api, apps, db, monkeypatch
):
    clinic = await a_clinic(scheduling_api, apps, db)
    lonely = await booked(clinic)
    assert (await cancel(clinic, lonely)).json()["offers"] == []
    begun = await booked(clinic)
    await add_entry(db, clinic)
    set_clock(monkeypatch, NOW + timedelta(hours=25, minutes=5))  # Tuesday 09:05
    assert (await cancel(clinic, begun)).json()["offers"] == []
    statement = select(func.count()).where(col(Hold.therapist_id) == clinic.therapist.id)
    assert (await db.exec(statement)).one() == 0


async def test_a_patient_cancelling_is_not_shown_who_was_offered(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    visit = await booked(clinic)
    entry = await add_entry(db, clinic)
    own = await login_of(db, apps, clinic.patient.id)
    response = await cancel(clinic, visit, own)
    assert response.status_code == 200 and response.json()["offers"] == []
    assert (await read_entry(clinic, entry))["status"] == "offered"


# -- races --------------------------------------------------------------------------------------


@contextmanager
def offers_per_slot(apps, entrants: int) -> Iterator[None]:
    """The scheduling app offers a freed time to `entrants` entries at most."""
    state = apps["scheduling"].state
    settings = state.settings
    state.settings = settings.model_copy(update={"waitlist_offers_per_slot": entrants})
    try:
        yield
    finally:
        state.settings = settings


async def race_setup(committed_apis, committed_db, apps, entrants: int):
    """A seeded clinic's visit on Tuesday at 10:00 cancelled, its time offered to
    `entrants` entries naming its therapist (each a patient of their own)."""
    api = committed_apis["scheduling"]
    clinic = await seeded_clinic(api, apps, committed_db)
    visit = (await clinic.book(start=TUESDAY_10)).json()
    for _ in range(entrants):
        patient = await make_patient(committed_db)
        body = entry_body(clinic, patient.id, therapist_id=str(clinic.therapist.id))
        assert (await api.post("/v1/waitlist", json=body, headers=clinic.desk)).status_code == 201
    with offers_per_slot(apps, entrants):
        offers = (await cancel(clinic, visit)).json()["offers"]
    assert len(offers) == entrants
    return clinic, offers


async def live_visits_then(db, clinic: Clinic) -> int:
    statement = select(func.count()).where(
        col(Appointment.therapist_id) == clinic.therapist.id,
        col(Appointment.status) == "booked",
    )
    return int((await db.exec(statement)).one())


@pytest.mark.parametrize("entrants", [2, 10])
async def test_of_racing_accepts_exactly_one_wins(committed_apis, committed_db, apps, entrants):
    clinic, offers = await race_setup(committed_apis, committed_db, apps, entrants)
    api = committed_apis["scheduling"]
    responses = await asyncio.gather(
        *(accept(api, offer["offer_id"], clinic.desk) for offer in offers)
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * (entrants - 1)
    lost = {r.json()["detail"] for r in responses if r.status_code == 409}
    assert lost == {"The slot went to another patient."}
    assert await live_visits_then(committed_db, clinic) == 1


async def test_one_offer_accepted_twice_at_once_books_once(committed_apis, committed_db, apps):
    clinic, (offer,) = await race_setup(committed_apis, committed_db, apps, 1)
    api = committed_apis["scheduling"]
    responses = await asyncio.gather(*(accept(api, offer["offer_id"], clinic.desk) for _ in "ab"))
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert await live_visits_then(committed_db, clinic) == 1
