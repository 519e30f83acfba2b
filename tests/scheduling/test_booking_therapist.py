"""A visit is booked with a therapist: the patients service (asked as scheduling, before the
transaction) confirms the id is an active therapist's account. An unknown id, another role's
account or a disabled therapist: 422 naming `therapist_id`, nothing written. The same holds
for moving a visit to another therapist and for a series."""

import uuid

import pytest

from services.common.columns import utcnow
from tests.factories import make_account
from tests.scheduling.booking import a_clinic, add_therapist, appointments_of, fix_clock
from tests.scheduling.factories import make_therapist

THERAPIST_FIELD = ["body", "therapist_id"]


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


async def _not_a_therapist(db, clinic, kind: str) -> uuid.UUID:
    """An id that is no active therapist's; "disabled" is the clinic's own therapist, whose
    hours there would take the visit, disabled since."""
    if kind == "unknown":
        return uuid.uuid4()
    if kind == "front desk":
        return (await make_account(db, role="front_desk")).id
    clinic.therapist.disabled_at = utcnow()
    db.add(clinic.therapist)
    await db.commit()
    return clinic.therapist.id


KINDS = ["unknown", "front desk", "disabled"]


@pytest.mark.parametrize("kind", KINDS)
async def test_booking_with_no_active_therapist_is_422_naming_it(scheduling_api, apps, db, kind):
    clinic = await a_clinic(scheduling_api, apps, db)
    response = await clinic.book(therapist_id=str(await _not_a_therapist(db, clinic, kind)))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == THERAPIST_FIELD
    assert await appointments_of(db, clinic.patient.id) == 0


@pytest.mark.parametrize("kind", KINDS)
async def test_moving_a_visit_to_no_active_therapist_is_422_naming_it(
    scheduling_api, apps, db, kind
):
    clinic = await a_clinic(scheduling_api, apps, db)
    colleague = await make_therapist(db)
    await add_therapist(scheduling_api, apps, db, clinic.location, colleague)
    booked = (await clinic.book(therapist_id=str(colleague.id))).json()
    therapist_id = await _not_a_therapist(db, clinic, kind)
    body = {"start": booked["start"], "therapist_id": str(therapist_id)}
    url = f"/v1/appointments/{booked['id']}/reschedule"
    response = await scheduling_api.post(url, json=body, headers=clinic.desk)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == THERAPIST_FIELD
    again = await scheduling_api.get(f"/v1/appointments/{booked['id']}", headers=clinic.desk)
    assert again.json()["therapist_id"] == str(colleague.id)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_series_with_no_active_therapist_is_422_naming_it(scheduling_api, apps, db, kind):
    clinic = await a_clinic(scheduling_api, apps, db)
    body = {
        "patient_id": str(clinic.patient.id),
        "therapist_id": str(await _not_a_therapist(db, clinic, kind)),
        "location": clinic.location.slug,
        "type": "treatment",
        "weekdays": [0],
        "time": "09:00",
        "first_date": "2026-12-07",
        "count": 2,
    }
    response = await scheduling_api.post("/v1/appointments/series", json=body, headers=clinic.desk)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == THERAPIST_FIELD
    assert await appointments_of(db, clinic.patient.id) == 0
