"""No database transaction of scheduling stays open while a booking, a series or a reschedule
waits on the patients or the plans service: a slow or hung service must not pin a connection,
nor the schedule locks, for that long.

Each call to those services is watched, at the moment it is sent, for a backend of the app
(application_name "clinic") sitting "idle in transaction" in this database."""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import text

from tests.factories import make_patient
from tests.scheduling.booking import (
    PlansAnswering,
    fix_clock,
    plan_facts,
    plans_answering,
    seeded_clinic,
)

OPEN_TRANSACTIONS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND application_name = 'clinic' AND state LIKE 'idle in transaction%'"
)


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


class Watching(httpx.AsyncBaseTransport):
    """Counts the open transactions each time a request passes, then sends it on."""

    def __init__(self, real: httpx.AsyncBaseTransport, engine, seen: list[tuple[str, int]]):
        self.real, self.engine, self.seen = real, engine, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self.engine.connect() as conn:
            open_now = (await conn.execute(OPEN_TRANSACTIONS)).scalar_one()
        self.seen.append((request.url.path, open_now))
        return await self.real.handle_async_request(request)


@contextmanager
def watched(apps, engine) -> Iterator[tuple[list[tuple[str, int]], PlansAnswering]]:
    """Every call to patients and plans watched; plans answering the facts registered."""
    router = apps["scheduling"].state.http._transport
    seen: list[tuple[str, int]] = []
    with plans_answering(apps) as plans:
        patients = router._transports["patients.test"]
        with (
            router.replaced("patients.test", Watching(patients, engine, seen)),
            router.replaced("plans.test", Watching(plans, engine, seen)),
        ):
            yield seen, plans


async def test_booking_and_rescheduling_ask_outside_any_transaction(
    committed_apis, committed_db, apps, engine
):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    with watched(apps, engine) as (seen, plans):
        plan_id = plans.add(plan_facts(clinic.patient.id))
        booked = await clinic.book(plan_id=plan_id)
        assert booked.status_code == 201, booked.text
        url = f"/v1/appointments/{booked.json()['id']}/reschedule"
        body = {"start": "2026-12-08T09:00:00-05:00"}
        moved = await clinic.api.post(url, json=body, headers=clinic.desk)
        assert moved.status_code == 200, moved.text
    asked = [(path.rsplit("/", 1)[-1], n) for path, n in seen if "/accounts/" not in path]
    assert asked == [("status", 0), (plan_id, 0), ("status", 0), (plan_id, 0)]


async def test_the_day_sheet_asks_for_names_outside_any_transaction(
    committed_apis, committed_db, apps, engine
):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    booked = await clinic.book(start="2026-12-07T09:00:00-05:00")
    assert booked.status_code == 201, booked.text
    with watched(apps, engine) as (seen, _):
        params = {"location": clinic.location.slug, "date": "2026-12-07"}
        sheet = await clinic.api.get("/v1/appointments", params=params, headers=clinic.desk)
        assert sheet.status_code == 200, sheet.text
        assert sheet.json()["patient_names"] == "shown"
    assert [(path, n) for path, n in seen if "/accounts/" not in path] == [("/v1/patient-names", 0)]


async def test_a_series_asks_each_service_once_outside_any_transaction(
    committed_apis, committed_db, apps, engine
):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    with watched(apps, engine) as (seen, plans):
        facts = plan_facts(clinic.patient.id) | {"frequency_per_week": 2, "duration_weeks": 2}
        plan_id = plans.add(facts)
        body = {
            "patient_id": str(clinic.patient.id),
            "therapist_id": str(clinic.therapist.id),
            "location": "gaithersburg",
            "type": "treatment",
            "weekdays": [0, 3],
            "time": "09:00",
            "first_date": "2026-12-07",
            "plan_id": plan_id,
        }
        booked = await clinic.api.post("/v1/appointments/series", json=body, headers=clinic.desk)
        assert booked.status_code == 201 and len(booked.json()["booked"]) == 4, booked.text
    asked = {str(clinic.patient.id), str(clinic.therapist.id), plan_id}
    calls = [(path, n) for path, n in seen if any(i in path for i in asked)]
    assert calls == [
        (f"/v1/patients/{clinic.patient.id}/status", 0),
        (f"/v1/accounts/{clinic.therapist.id}/status", 0),
        (f"/v1/plans/{plan_id}", 0),
    ]


async def test_confirming_a_hold_and_accepting_an_offer_ask_outside_any_transaction(
    committed_apis, committed_db, apps, engine
):
    api = committed_apis["scheduling"]
    clinic = await seeded_clinic(api, apps, committed_db)
    body = {
        "therapist_id": str(clinic.therapist.id),
        "location": clinic.location.slug,
        "type": "treatment",
        "start": "2026-12-08T11:00:00-05:00",
        "patient_id": str(clinic.patient.id),
    }
    held = (await api.post("/v1/holds", json=body, headers=clinic.desk)).json()
    visit = (await clinic.book(start="2026-12-08T14:00:00-05:00")).json()
    entry = {
        "patient_id": str((await make_patient(committed_db)).id),
        "location": clinic.location.slug,
        "therapist_id": str(clinic.therapist.id),
        "type": "treatment",
    }
    assert (await api.post("/v1/waitlist", json=entry, headers=clinic.desk)).status_code == 201
    cancelled = await api.post(
        f"/v1/appointments/{visit['id']}/cancel", json={"reason": "Flu"}, headers=clinic.desk
    )
    (offer,) = cancelled.json()["offers"]
    with watched(apps, engine) as (seen, plans):
        plan_id = plans.add(plan_facts(clinic.patient.id))
        url = f"/v1/holds/{held['id']}/confirm"
        confirmed = await api.post(url, json={"plan_id": plan_id}, headers=clinic.desk)
        assert confirmed.status_code == 201, confirmed.text
        url = f"/v1/waitlist/offers/{offer['offer_id']}/accept"
        accepted = await api.post(url, headers=clinic.desk)
        assert accepted.status_code == 201, accepted.text
    asked = [(path.rsplit("/", 1)[-1], n) for path, n in seen if "/accounts/" not in path]
    assert asked == [("status", 0), (plan_id, 0), ("status", 0)]
