"""Reading appointments over HTTP: the day sheet of a clinic's local date in time order, the
other filters, the cursor, a therapist's reach, a patient's own upcoming visits, and the
audit rows every read leaves on each patient's trail."""

import uuid

import pytest
from sqlmodel import select

from services.scheduling.models import AuditEvent
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.scheduling.booking import a_clinic, add_therapist, fix_clock
from tests.scheduling.factories import make_clinic, make_therapist


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


async def _day_of_visits(clinic, db, *starts: str) -> list[dict]:
    """One visit per start, each of a new patient."""
    booked = []
    for start in starts:
        patient = await make_patient(db)
        response = await clinic.book(patient_id=str(patient.id), start=start)
        assert response.status_code == 201, response.text
        booked.append(response.json())
    return booked


async def test_the_day_sheet_is_the_clinics_local_date_in_time_order(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    # 23:00 in New York on Monday is Tuesday in UTC: still Monday's sheet.
    late, early, tuesday = await _day_of_visits(
        clinic,
        db,
        "2026-12-07T18:00:00-05:00",
        "2026-12-07T09:00:00-05:00",
        "2026-12-08T07:00:00-05:00",
    )
    params = {"location": clinic.location.slug, "date": "2026-12-07"}
    response = await scheduling_api.get("/v1/appointments", params=params, headers=clinic.desk)
    assert response.status_code == 200, response.text
    assert [a["id"] for a in response.json()["items"]] == [early["id"], late["id"]]
    tuesdays = await scheduling_api.get(
        "/v1/appointments", params=params | {"date": "2026-12-08"}, headers=clinic.desk
    )
    assert [a["id"] for a in tuesdays.json()["items"]] == [tuesday["id"]]


async def test_a_page_at_a_time(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    starts = [f"2026-12-07T{h:02d}:00:00-05:00" for h in (9, 10, 11)]
    booked = await _day_of_visits(clinic, db, *starts)
    seen, cursor = [], None
    while True:
        params = {"location": clinic.location.slug, "limit": 2} | (
            {"cursor": cursor} if cursor else {}
        )
        page = (
            await scheduling_api.get("/v1/appointments", params=params, headers=clinic.desk)
        ).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [b["id"] for b in booked]


async def test_filters_by_therapist_patient_local_dates_and_status(scheduling_api, apps, db):
    evenings = [{"weekday": d, "start": "07:00", "end": "22:00"} for d in range(7)]
    clinic = await a_clinic(scheduling_api, apps, db, week=evenings)
    first, second = await _day_of_visits(
        clinic, db, "2026-12-07T09:00:00-05:00", "2026-12-08T20:00:00-05:00"
    )
    await scheduling_api.post(
        f"/v1/appointments/{second['id']}/cancel", json={"reason": "x"}, headers=clinic.desk
    )

    async def ids(**params) -> list[str]:
        response = await scheduling_api.get("/v1/appointments", params=params, headers=clinic.desk)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    therapist = str(clinic.therapist.id)
    assert await ids(therapist_id=therapist) == [first["id"], second["id"]]
    assert await ids(patient_id=second["patient_id"]) == [second["id"]]
    assert await ids(therapist_id=therapist, status="cancelled") == [second["id"]]
    # 20:00 on Tuesday in New York is Wednesday in UTC: still Tuesday, on the clinic's clock.
    assert await ids(therapist_id=therapist, **{"from": "2026-12-08"}) == [second["id"]]
    assert await ids(therapist_id=therapist, to="2026-12-07") == [first["id"]]
    assert await ids(therapist_id=therapist, date="2026-12-08") == [second["id"]]
    assert await ids(therapist_id=therapist, date="2026-12-09") == []
    both = {"location": clinic.location.slug, "from": "2026-12-07", "to": "2026-12-08"}
    assert await ids(**both) == [first["id"], second["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2026-12-07", "from": "2026-12-07"}, ["query", "date"]),
        ({"location": "baltimore"}, ["query", "location"]),
        ({"location": "frederick", "date": "12/07/2026"}, ["query", "date"]),
        ({"from": "2026-12-08", "to": "2026-12-07"}, ["query", "to"]),
    ],
)
async def test_a_list_that_cannot_be_answered_is_422_naming_the_field(
    scheduling_api, apps, db, params, field
):
    headers = await headers_for(db, apps, "front_desk")
    response = await scheduling_api.get("/v1/appointments", params=params, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == field


async def test_a_therapist_lists_their_own_and_their_clinics_visits(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    (here,) = await _day_of_visits(clinic, db, "2026-12-07T09:00:00-05:00")
    elsewhere = await a_clinic(scheduling_api, apps, db)
    (there,) = await _day_of_visits(elsewhere, db, "2026-12-07T09:00:00-05:00")
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    headers = bearer(token_for(apps, colleague))

    async def ids(**params) -> list[str]:
        response = await scheduling_api.get("/v1/appointments", params=params, headers=headers)
        return [a["id"] for a in response.json()["items"]]

    everything = await ids()
    assert here["id"] in everything and there["id"] not in everything
    assert await ids(location=elsewhere.location.slug) == []


async def test_my_appointments_are_the_patients_own_to_come(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    login = await make_account(db, role="patient", patient=clinic.patient)
    mine = bearer(token_for(apps, login))
    tuesday = (await clinic.book(start="2026-12-08T09:00:00-05:00")).json()
    monday = (await clinic.book()).json()
    cancelled = (await clinic.book(start="2026-12-09T09:00:00-05:00")).json()
    await scheduling_api.post(
        f"/v1/appointments/{cancelled['id']}/cancel", json={"reason": "x"}, headers=clinic.desk
    )
    await _day_of_visits(clinic, db, "2026-12-07T11:00:00-05:00")  # someone else's
    response = await scheduling_api.get("/v1/me/appointments", headers=mine)
    assert response.status_code == 200, response.text
    assert [a["id"] for a in response.json()["items"]] == [monday["id"], tuesday["id"]]
    own = await scheduling_api.get(f"/v1/appointments/{monday['id']}", headers=mine)
    assert own.status_code == 200 and own.headers["etag"] == '"1"'
    staff = await scheduling_api.get("/v1/me/appointments", headers=clinic.desk)
    assert staff.status_code == 403
    listing = await scheduling_api.get("/v1/appointments", headers=mine)
    assert listing.status_code == 403


async def test_every_read_is_on_each_patients_trail(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    first, second = await _day_of_visits(
        clinic, db, "2026-12-07T09:00:00-05:00", "2026-12-07T10:00:00-05:00"
    )
    params = {"location": clinic.location.slug, "date": "2026-12-07"}
    await scheduling_api.get("/v1/appointments", params=params, headers=clinic.desk)
    await scheduling_api.get(f"/v1/appointments/{first['id']}", headers=clinic.desk)
    rows = (
        await db.exec(
            select(AuditEvent)
            .where(AuditEvent.action.in_(("appointment.list", "appointment.read")))
            .order_by(AuditEvent.id)
        )
    ).all()
    summary, *per_patient, single = rows
    assert summary.patient_id is None and summary.detail["returned"] == 2
    assert {(r.patient_id, r.detail["list_event_id"]) for r in per_patient} == {
        (uuid.UUID(first["patient_id"]), summary.id),
        (uuid.UUID(second["patient_id"]), summary.id),
    }
    assert (single.action, single.entity_id) == ("appointment.read", first["id"])


async def test_the_audit_trail_is_the_admins(scheduling_api, apps, db):
    admin = await headers_for(db, apps, "admin")
    assert (await scheduling_api.get("/v1/audit", headers=admin)).status_code == 200
    desk = await headers_for(db, apps, "front_desk")
    assert (await scheduling_api.get("/v1/audit", headers=desk)).status_code == 403


async def test_an_unknown_clinics_sheet_is_empty_only_for_a_known_one(scheduling_api, apps, db):
    desk = await headers_for(db, apps, "front_desk")
    quiet = await make_clinic(db)
    params = {"location": quiet.slug, "date": "2026-12-07"}
    response = await scheduling_api.get("/v1/appointments", params=params, headers=desk)
    empty = {"items": [], "next_cursor": None, "patient_names": "shown"}
    assert response.status_code == 200 and response.json() == empty
