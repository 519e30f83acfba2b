"""Lists walk every page: the iterator asks for the next page, with the cursor the last one
gave, only when the items it has run out, and stops at the page without a cursor."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
from clinic_client.models import PatientCreate

from tests.client.conftest import person, signed_in
from tests.factories import make_patient
from tests.scheduling.booking import make_appointment
from tests.scheduling.test_day_sheet_names import lookup_failing


async def test_an_async_list_walks_every_page_lazily(db, open_clinic, wire):
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    family = f"Pages-{uuid.uuid4().hex[:6]}"
    for day in range(1, 6):
        patient = PatientCreate(
            given_name="Ana",
            family_name=family,
            birth_date=f"1990-01-0{day}",
            sex="female",
            home_location="gaithersburg",
        )
        await desk.patients.register(patient)

    found = [p.birth_date.day async for p in desk.patients.search(family, page_size=2)]
    assert sorted(found) == [1, 2, 3, 4, 5]
    pages = wire.sent_to("GET", "/v1/patients")
    assert [r.url.params.get("cursor") is not None for r in pages] == [False, True, True]

    wire.sent.clear()
    taken = []
    async for patient in desk.patients.search(family, page_size=2):
        taken.append(patient)
        if len(taken) == 2:
            break
    assert len(wire.sent_to("GET", "/v1/patients")) == 1  # the second page was never asked for


async def test_a_list_page_by_page_says_whether_it_names_the_patients(db, apps, open_clinic):
    """`list_pages` yields the day sheet's pages whole: the items and what the page says of
    itself, `patient_names`, which the item iterator cannot carry."""
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    therapist = await person(db, "therapist")
    for hour, given in ((9, "Ines"), (10, "Omar")):
        patient = await make_patient(db, given_name=given, family_name="Pagewise")
        start = datetime(2031, 3, 3, hour, tzinfo=ZoneInfo("America/New_York"))
        await make_appointment(db, patient_id=patient.id, therapist_id=therapist.id, start=start)
    sheet = {"location": "gaithersburg", "date": date(2031, 3, 3), "page_size": 1}

    pages = [page async for page in desk.appointments.list_pages(**sheet)]
    assert [page.patient_names for page in pages] == ["shown", "shown"]
    assert [[item.patient_name for item in page.items] for page in pages] == [
        ["Ines Pagewise"],
        ["Omar Pagewise"],
    ]
    assert pages[0].next_cursor is not None and pages[1].next_cursor is None

    with lookup_failing(apps, lambda request: httpx.Response(500, json={"status": 500})):
        pages = [page async for page in desk.appointments.list_pages(**sheet)]
    assert [page.patient_names for page in pages] == ["unavailable", "unavailable"]
    assert [item.patient_name for page in pages for item in page.items] == [None, None]
