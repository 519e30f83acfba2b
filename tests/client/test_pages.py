"""Lists walk every page: the iterator asks for the next page, with the cursor the last one
gave, only when the items it has run out, and stops at the page without a cursor."""

import uuid

from clinic_client.models import PatientCreate

from tests.client.conftest import person, signed_in


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
