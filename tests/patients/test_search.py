"""Finding patients: names folded for case and accents, dates of birth, phones, clinics."""

from datetime import date

import pytest

from tests.factories import headers_for, make_patient


async def _names(api, headers, **params):
    response = await api.get("/v1/patients", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [f"{p['given_name']} {p['family_name']}" for p in response.json()["items"]]


@pytest.fixture
async def people(db):
    await make_patient(db, given_name="José", family_name="Nuñez-Quayle", preferred_name="Pepe")
    await make_patient(
        db, given_name="Joséphine", family_name="Quayleton", birth_date=date(1990, 2, 2)
    )
    await make_patient(db, given_name="Zoë", family_name="Quaylemark", phone="+13015550177")
    await make_patient(
        db,
        given_name="Anne",
        family_name="Quaylewood",
        home_location="columbia",
        phone="+14105550100",
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("jose", ["José Nuñez-Quayle", "Joséphine Quayleton"]),
        ("JOSÉ", ["José Nuñez-Quayle", "Joséphine Quayleton"]),
        ("nunez", ["José Nuñez-Quayle"]),
        ("pepe", ["José Nuñez-Quayle"]),
        ("zoe", ["Zoë Quaylemark"]),
        ("quayle", ["Zoë Quaylemark", "Joséphine Quayleton", "Anne Quaylewood"]),
        ("jos quayleton", ["Joséphine Quayleton"]),
        ("quay zo", ["Zoë Quaylemark"]),
        ("xquayle", []),
    ],
)
async def test_name_prefix_ignores_case_and_accents(patients_api, db, apps, people, name, expected):
    headers = await headers_for(db, apps, "front_desk")
    assert await _names(patients_api, headers, name=name) == expected


async def test_filters_by_birth_date_phone_and_clinic(patients_api, db, apps, people):
    headers = await headers_for(db, apps, "therapist")
    assert await _names(patients_api, headers, birth_date="1990-02-02", name="quay") == [
        "Joséphine Quayleton"
    ]
    assert await _names(patients_api, headers, phone="(301) 555-0177") == ["Zoë Quaylemark"]
    assert await _names(patients_api, headers, phone="+1 410 555 0100") == ["Anne Quaylewood"]
    assert await _names(patients_api, headers, home_location="columbia", name="quay") == [
        "Anne Quaylewood"
    ]


@pytest.mark.parametrize(
    "params",
    [{"phone": "not a phone"}, {"birth_date": "02/02/1990"}, {"home_location": "Nowhere!"}],
)
async def test_bad_filters_are_422(patients_api, db, apps, params):
    headers = await headers_for(db, apps, "front_desk")
    response = await patients_api.get("/v1/patients", params=params, headers=headers)
    assert response.status_code == 422


async def test_order_is_stable_when_names_are_equal(patients_api, db, apps):
    created = [await make_patient(db, given_name="Sam", family_name="Twinlike") for _ in range(5)]
    headers = await headers_for(db, apps, "front_desk")
    ids, cursor = [], None
    while True:
        params = {"name": "twinlike", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await patients_api.get("/v1/patients", params=params, headers=headers)).json()
        ids += [p["id"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert ids == sorted(str(p.id) for p in created)
