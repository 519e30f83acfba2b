"""Cancelling a visit of a series: `this` one (the default), `this and the following` booked
visits, or `all` the booked visits not yet begun. Each visit is cancelled as a single one is
(late when less than 24 hours ahead, audited on its own); the answer is the visit named, with
the ids of the others. A patient's series-wide cancel touching a visit within 24 hours is
refused whole.

The clock reads Monday 7 December 2026, 08:00 in New York; the series is six visits,
Mondays and Thursdays at 09:00 from 7 December (the first one hour away)."""

import pytest
from sqlmodel import col, select

from services.scheduling.models import Appointment, AuditEvent
from tests.factories import bearer, make_account, token_for
from tests.scheduling.booking import a_clinic, fix_clock


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


async def six_visits(api, apps, db):
    clinic = await a_clinic(api, apps, db)
    body = {
        "patient_id": str(clinic.patient.id),
        "therapist_id": str(clinic.therapist.id),
        "location": clinic.location.slug,
        "type": "treatment",
        "weekdays": [0, 3],
        "time": "09:00",
        "first_date": "2026-12-07",
        "count": 6,
    }
    response = await api.post("/v1/appointments/series", json=body, headers=clinic.desk)
    assert response.status_code == 201, response.text
    return clinic, [visit["id"] for visit in response.json()["booked"]]


async def cancel(api, visit_id: str, headers, scope: str | None = None):
    body = {"reason": "Moving house"} | ({"scope": scope} if scope else {})
    return await api.post(f"/v1/appointments/{visit_id}/cancel", json=body, headers=headers)


async def statuses(db, ids: list[str]) -> list[str]:
    statement = select(Appointment.id, Appointment.status).where(col(Appointment.id).in_(ids))
    found = {str(visit_id): status for visit_id, status in (await db.exec(statement)).all()}
    return [found[i] for i in ids]


async def test_this_cancels_the_one_visit(scheduling_api, apps, db):
    clinic, visits = await six_visits(scheduling_api, apps, db)
    response = await cancel(scheduling_api, visits[2], clinic.desk)
    assert response.status_code == 200, response.text
    assert response.json()["also_cancelled"] == [] and response.json()["status"] == "cancelled"
    assert await statuses(db, visits) == ["booked"] * 2 + ["cancelled"] + ["booked"] * 3


async def test_following_cancels_this_and_the_later_booked_visits(scheduling_api, apps, db):
    clinic, visits = await six_visits(scheduling_api, apps, db)
    await cancel(scheduling_api, visits[4], clinic.desk)  # already cancelled: not again
    response = await cancel(scheduling_api, visits[2], clinic.desk, "following")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == visits[2]
    assert response.json()["also_cancelled"] == [visits[3], visits[5]]
    assert await statuses(db, visits) == ["booked"] * 2 + ["cancelled"] * 4
    statement = select(AuditEvent).where(
        col(AuditEvent.action) == "appointment.cancel", col(AuditEvent.outcome) == "success"
    )
    rows = [r for r in (await db.exec(statement)).all() if r.entity_id in visits]
    assert sorted(r.entity_id for r in rows) == sorted(visits[2:])
    assert {r.detail.get("scope") for r in rows if r.entity_id != visits[4]} == {"following"}


async def test_all_cancels_every_booked_visit_not_begun_each_late_or_not(scheduling_api, apps, db):
    clinic, visits = await six_visits(scheduling_api, apps, db)
    url = f"/v1/appointments/{visits[1]}/check-in"
    assert (await scheduling_api.post(url, headers=clinic.desk)).status_code == 200
    response = await cancel(scheduling_api, visits[3], clinic.desk, "all")
    assert response.status_code == 200, response.text
    assert response.json()["also_cancelled"] == [visits[0], visits[2], visits[4], visits[5]]
    assert response.json()["late_cancellation"] is False
    assert await statuses(db, visits) == ["cancelled", "checked_in"] + ["cancelled"] * 4
    first = await scheduling_api.get(f"/v1/appointments/{visits[0]}", headers=clinic.desk)
    assert first.json()["late_cancellation"] is True  # one hour ahead


@pytest.mark.parametrize("scope", ["following", "all"])
async def test_a_scope_beyond_this_needs_a_series(scheduling_api, apps, db, scope):
    clinic = await a_clinic(scheduling_api, apps, db)
    alone = (await clinic.book()).json()
    response = await cancel(scheduling_api, alone["id"], clinic.desk, scope)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "scope"]
    read = await scheduling_api.get(f"/v1/appointments/{alone['id']}", headers=clinic.desk)
    assert read.json()["status"] == "booked"


async def test_a_patient_cancels_the_following_visits_of_their_series(scheduling_api, apps, db):
    clinic, visits = await six_visits(scheduling_api, apps, db)
    patient = bearer(
        token_for(apps, await make_account(db, role="patient", patient=clinic.patient))
    )
    response = await cancel(scheduling_api, visits[1], patient, "following")
    assert response.status_code == 200, response.text
    assert await statuses(db, visits) == ["booked"] + ["cancelled"] * 5


async def test_a_patients_series_wide_cancel_within_24_hours_of_any_visit_cancels_none(
    scheduling_api, apps, db
):
    clinic, visits = await six_visits(scheduling_api, apps, db)
    patient = bearer(
        token_for(apps, await make_account(db, role="patient", patient=clinic.patient))
    )
    response = await cancel(scheduling_api, visits[2], patient, "all")
    assert response.status_code == 409, response.text
    assert "call the clinic" in response.json()["detail"]
    assert response.json()["appointment_id"] == visits[0]
    assert await statuses(db, visits) == ["booked"] * 6


async def test_another_patients_series_is_404(scheduling_api, apps, db):
    _, visits = await six_visits(scheduling_api, apps, db)
    stranger = bearer(token_for(apps, await make_account(db, role="patient")))
    response = await cancel(scheduling_api, visits[2], stranger, "all")
    assert response.status_code == 404, response.text
    assert await statuses(db, visits) == ["booked"] * 6
