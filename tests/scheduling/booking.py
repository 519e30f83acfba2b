"""Booking test set-up: a clinic of the test's own (open round the clock, two rooms) with a
therapist working there 07:00-19:00 every day, a patient, the front desk's headers, a fixed
clock, and a plans service whose answers about plans the test chooses.

The clock reads Monday 7 December 2026, 08:00 in New York, unless a test sets another. The
plans service's `GET /v1/plans/{id}` is answered from facts the test registers
(`plans_answering`); every other call reaches the real plans app, such as the visit outcomes
scheduling reports."""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.patients.models import Patient, UserAccount
from services.scheduling.models import (
    Appointment,
    Hold,
    Location,
    TherapistHours,
    WaitlistEntry,
    WaitlistOffer,
)
from tests.factories import headers_for, make_patient
from tests.scheduling.factories import make_clinic, make_therapist, set_hours

NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # Monday, 08:00 in New York
MONDAY_9 = "2026-12-07T09:00:00-05:00"
WORKING_DAYS = [{"weekday": d, "start": "07:00", "end": "19:00"} for d in range(7)]
WEEKDAYS_8_TO_6 = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(5)]


CLOCKS = ("appointments", "holds", "waitlist")  # the routes that read the booking clock


def fix_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime = NOW) -> None:
    for routes in CLOCKS:
        monkeypatch.setattr(f"services.scheduling.{routes}.routes.utcnow", lambda: moment)
    monkeypatch.setattr("services.scheduling.desk.utcnow", lambda: moment)  # the booking rules


@dataclass
class Clinic:
    """A clinic, a therapist working there, a patient and the front desk."""

    api: httpx.AsyncClient
    location: Location
    therapist: UserAccount
    patient: Patient
    desk: dict[str, str]

    def booking(self, **fields: Any) -> dict[str, Any]:
        body = {
            "patient_id": str(self.patient.id),
            "therapist_id": str(self.therapist.id),
            "location": self.location.slug,
            "type": "treatment",
            "start": MONDAY_9,
        }
        return body | fields

    async def book(self, **fields: Any) -> httpx.Response:
        return await self.api.post(
            "/v1/appointments", json=self.booking(**fields), headers=self.desk
        )


async def a_clinic(
    api, apps, db, *, week: list[dict[str, Any]] = WORKING_DAYS, **clinic_fields: Any
) -> Clinic:
    """A clinic (open round the clock unless told) with a therapist working `week` there."""
    location = await make_clinic(db, rooms=["Treatment 1", "Gym"], **clinic_fields)
    return await _staffed(api, apps, db, location, week)


async def seeded_clinic(api, apps, db) -> Clinic:
    """Gaithersburg, with a new therapist working there 08:00-18:00 on weekdays: for tests
    whose commits are real, which must leave no clinic behind (the list of clinics is
    checked elsewhere)."""
    statement = select(Location).where(col(Location.slug) == "gaithersburg")
    location = (await db.exec(statement)).one()
    return await _staffed(api, apps, db, location, WEEKDAYS_8_TO_6)


async def _staffed(api, apps, db, location: Location, week: list[dict[str, Any]]) -> Clinic:
    therapist = await make_therapist(db)
    await add_therapist(api, apps, db, location, therapist, week)
    patient = await make_patient(db)
    return Clinic(api, location, therapist, patient, await headers_for(db, apps, "front_desk"))


async def add_therapist(
    api,
    apps,
    db,
    location: Location,
    therapist: UserAccount,
    week: list[dict[str, Any]] = WORKING_DAYS,
) -> None:
    """Replace the therapist's week by `week` at the clinic (07:00-19:00 every day)."""
    hours = [entry | {"location": location.slug} for entry in week]
    await set_hours(api, apps, db, therapist, hours)


async def appointments_of(db: AsyncSession, patient_id: uuid.UUID) -> int:
    statement = select(func.count()).where(col(Appointment.patient_id) == patient_id)
    return int((await db.exec(statement)).one())


# -- the plans service's answers about plans ----------------------------------------------------


def plan_facts(
    patient_id: uuid.UUID,
    *,
    status: str = "active",
    certification: tuple[date, date] = (date(2026, 11, 1), date(2027, 1, 29)),
    authorization: dict[str, Any] | None = None,
    since_report: int = 0,
    plan_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A plan as the front desk reads it from the plans service (`view: scheduling`)."""
    return {
        "view": "scheduling",
        "id": str(plan_id or uuid.uuid4()),
        "patient_id": str(patient_id),
        "status": status,
        "certification_start": certification[0].isoformat(),
        "certification_end": certification[1].isoformat(),
        "authorization": authorization,
        "completed_visits": 0,
        "visits_since_progress_report": since_report,
    }


class PlansAnswering(httpx.AsyncBaseTransport):
    """The plans service, but `GET /v1/plans/{id}` answers the facts registered in `plans`
    (404 for any other id) and can be made unreachable (`down`)."""

    def __init__(self, real: httpx.AsyncBaseTransport) -> None:
        self.real = real
        self.plans: dict[str, dict[str, Any]] = {}
        self.down = False
        self.asked: list[httpx.Request] = []

    def add(self, facts: dict[str, Any]) -> str:
        self.plans[facts["id"]] = facts
        return facts["id"]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("plans is down", request=request)
        found = re.fullmatch(r"/v1/plans/([0-9a-f-]{36})", request.url.path)
        if request.method != "GET" or not found:
            return await self.real.handle_async_request(request)
        self.asked.append(request)
        facts = self.plans.get(found[1])
        if facts is None:
            return httpx.Response(404, json={"status": 404, "detail": "No plan of care."})
        return httpx.Response(200, json=facts)


@contextmanager
def plans_answering(apps) -> Iterator[PlansAnswering]:
    router = apps["scheduling"].state.http._transport
    fake = PlansAnswering(router._transports["plans.test"])
    with router.replaced("plans.test", fake):
        yield fake


# -- rows written straight to the database, for tests of access and of every route --------------


async def make_hours(db: AsyncSession, therapist_id: uuid.UUID, location: str = "gaithersburg"):
    """The therapist works 08:00-18:00 on weekdays at the clinic (a seeded one by default)."""
    clinic = (await db.exec(select(Location).where(col(Location.slug) == location))).one()
    db.add_all(
        TherapistHours(
            therapist_id=therapist_id,
            location_id=clinic.id,
            weekday=weekday,
            starts=time(8),
            ends=time(18),
        )
        for weekday in range(5)
    )
    await db.commit()


async def make_appointment(
    db: AsyncSession, *, patient_id: uuid.UUID, therapist_id: uuid.UUID, start: datetime, **fields
) -> Appointment:
    """A 45-minute treatment at Gaithersburg, booked unless told otherwise."""
    values: dict[str, Any] = {
        "patient_id": patient_id,
        "therapist_id": therapist_id,
        "location": "gaithersburg",
        "appointment_type": "treatment",
        "duration_minutes": 45,
        "starts_at": start,
        "ends_at": start + timedelta(minutes=45),
        "created_by": therapist_id,
    }
    appointment = Appointment(**(values | fields))
    db.add(appointment)
    await db.commit()
    return appointment


async def make_hold(
    db: AsyncSession, *, therapist_id: uuid.UUID, start: datetime, **fields
) -> Hold:
    """A 45-minute treatment's time at Gaithersburg, held until 10 minutes after NOW."""
    values: dict[str, Any] = {
        "therapist_id": therapist_id,
        "location": "gaithersburg",
        "appointment_type": "treatment",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=45),
        "expires_at": NOW + timedelta(minutes=10),
        "created_by": therapist_id,
    }
    hold = Hold(**(values | fields))
    db.add(hold)
    await db.commit()
    return hold


async def make_waitlist_entry(
    db: AsyncSession, *, patient_id: uuid.UUID, **fields
) -> WaitlistEntry:
    """The patient waits for a treatment at Gaithersburg, with any therapist, any time."""
    values: dict[str, Any] = {
        "patient_id": patient_id,
        "location": "gaithersburg",
        "appointment_type": "treatment",
        "created_by": patient_id,
    }
    entry = WaitlistEntry(**(values | fields))
    db.add(entry)
    await db.commit()
    return entry


async def make_offer(
    db: AsyncSession, *, patient_id: uuid.UUID, therapist_id: uuid.UUID, start: datetime
) -> WaitlistOffer:
    """A live hold of the therapist's time offered to a new entry of the patient."""
    hold = await make_hold(db, therapist_id=therapist_id, start=start)
    entry = await make_waitlist_entry(db, patient_id=patient_id)
    offer = WaitlistOffer(hold_id=hold.id, entry_id=entry.id)
    db.add(offer)
    await db.commit()
    return offer
