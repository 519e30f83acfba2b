"""The async client drives the three real services, in both URL layouts, through the whole
story: the front desk registers a patient and gives her a login; the therapist builds and
signs a neuroma plan; the admin sets the therapist's hours and reads the trails; the front
desk books the next free slot; the patient reads her plan, logs a session, reads her
adherence, handout and appointments. Every answer comes back as its model."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from clinic_client import AsyncClinic, PreconditionFailed
from clinic_client.models import (
    AppointmentBooked,
    AppointmentCreate,
    HomeSessionCreate,
    HoursEntry,
    MyPlanRead,
    PatientAccountCreate,
    PatientCreate,
    PatientRead,
    PatientUpdate,
    PlanCreate,
    PlanRead,
    UserRead,
)

from tests.client.conftest import person, signed_in
from tests.scheduling.factories import make_clinic

NEW_YORK = ZoneInfo("America/New_York")
DANA_PASSWORD = "plantar-arch-lift-58"


def dana(home: str) -> PatientCreate:
    return PatientCreate(
        given_name="Dana",
        family_name="Okafor",
        birth_date="1978-04-12",
        sex="female",
        home_location=home,
        phone="301-555-0123",
        email="dana.okafor@example.com",
        diagnoses=[{"code": "G57.62"}],
    )


async def test_the_whole_story_through_the_async_client(db, open_clinic, layout):
    clinic_of_test = await make_clinic(db)
    slug = clinic_of_test.slug
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    therapist_account = await person(db, "therapist")
    therapist = await signed_in(open_clinic(), therapist_account)
    admin = await signed_in(open_clinic(), await person(db, "admin"))

    patient = await _registered(desk, slug)
    plan = await _signed_plan(therapist, patient, slug)
    await _hours_set(admin, therapist_account.id, slug)
    booked = await _booked(desk, patient, therapist_account.id, slug)

    me = open_clinic()
    await me.sign_in("dana.okafor@example.com", DANA_PASSWORD)
    await _patient_reads_and_logs(me, plan, booked)
    await _trails_read(admin, patient)


async def _registered(desk: AsyncClinic, slug: str) -> PatientRead:
    assert (await desk.users.me()).role == "front_desk"
    patient = await desk.patients.register(dana(slug))
    assert isinstance(patient, PatientRead)
    assert patient.phone == "+13015550123" and patient.diagnoses[0].laterality == "left"

    found = [p async for p in desk.patients.search("dana oka", home_location=slug)]
    assert [p.id for p in found] == [patient.id]
    changed = await desk.patients.update(
        patient.id, PatientUpdate(preferred_name="Dee"), if_match=patient.version
    )
    assert (changed.preferred_name, changed.version) == ("Dee", patient.version + 1)
    with pytest.raises(PreconditionFailed) as stale:
        await desk.patients.update(patient.id, PatientUpdate(preferred_name="D"), if_match=1)
    assert stale.value.status == 412 and stale.value.type.endswith("/precondition-failed")

    login = PatientAccountCreate(email="dana.okafor@example.com", password=DANA_PASSWORD)
    account = await desk.patients.create_login(patient.id, login)
    assert isinstance(account, UserRead) and account.patient_id == patient.id
    return changed


async def _signed_plan(therapist: AsyncClinic, patient: PatientRead, slug: str) -> PlanRead:
    protocol = await therapist.protocols.read("mortons-neuroma")
    start = datetime.now(NEW_YORK).date() - timedelta(days=7)
    draft = await therapist.plans.create(
        PlanCreate(
            patient_id=patient.id,
            protocol=protocol.slug,
            location=slug,
            frequency_per_week=2,
            duration_weeks=6,
            start_date=start,
            diagnoses=[{"code": "G57.62"}],
            goals=[{"text": "Walks 30 minutes, pain at most 2/10", "term": "long"}],
            home_equipment=["wall"],
        )
    )
    assert (draft.status, draft.revision) == ("draft", 0)
    signed = await therapist.plans.activate(draft.id, if_match=draft.version)
    assert (signed.status, signed.revision) == ("active", 1)
    read = await therapist.plans.read(signed.id)
    assert isinstance(read, PlanRead) and read.version == signed.version
    assert [r.number async for r in therapist.plans.revisions(signed.id)] == [1]
    return signed


async def _hours_set(admin: AsyncClinic, therapist_id, slug: str) -> None:
    week = [HoursEntry(location=slug, weekday=d, start="07:00", end="19:00") for d in range(7)]
    hours = await admin.therapists.set_hours(therapist_id, week)
    assert len(hours.hours) == 7


async def _booked(desk: AsyncClinic, patient: PatientRead, therapist_id, slug: str):
    free = await desk.availability.next("treatment", locations=[slug], therapist_id=therapist_id)
    slot = free.slots[0]
    booked = await desk.appointments.book(
        AppointmentCreate(
            patient_id=patient.id,
            therapist_id=therapist_id,
            location=slug,
            type="treatment",
            start=slot.start,
        )
    )
    assert isinstance(booked, AppointmentBooked) and booked.start == slot.start
    local_day = slot.start.astimezone(NEW_YORK).date()
    sheet = [a.id async for a in desk.appointments.list(location=slug, date=local_day)]
    assert sheet == [booked.id]
    return booked


async def _patient_reads_and_logs(me: AsyncClinic, plan: PlanRead, booked) -> None:
    plans = [p async for p in me.me.plans()]
    assert [p.id for p in plans] == [plan.id] and isinstance(plans[0], MyPlanRead)
    home = [exercise.slug for exercise in plans[0].home]
    today = datetime.now(NEW_YORK).date()
    logged = await me.home_sessions.log(
        plan.id, HomeSessionCreate(performed_on=today, exercises=home[:2], pain=3)
    )
    assert (logged.pain, logged.red_flags) == (3, [])
    adherence = await me.home_sessions.adherence(plan.id, from_=plan.start_date, to=today)
    assert adherence.from_ == plan.start_date and adherence.overall.sessions == 1
    html = await me.plans.handout(plan.id)
    pdf = await me.plans.handout(plan.id, accept="application/pdf")
    assert b"<html" in html.lower() and pdf.startswith(b"%PDF")
    assert [a.id async for a in me.me.appointments()] == [booked.id]


async def _trails_read(admin: AsyncClinic, patient: PatientRead) -> None:
    patients_trail = [e.action async for e in admin.audit.patients(patient_id=patient.id)]
    assert "patient.create" in patients_trail
    # Behind the proxy these two are under the service's name: /plans/v1/audit.
    plans_trail = [e.action async for e in admin.audit.plans(patient_id=patient.id)]
    scheduling_trail = [e.action async for e in admin.audit.scheduling(patient_id=patient.id)]
    assert "plan.create" in plans_trail and "patient.create" not in plans_trail
    assert "appointment.book" in scheduling_trail and "plan.create" not in scheduling_trail
