"""A therapist's weekly hours over HTTP: replaced whole by an admin, checked against the
clinics' opening hours and against each other, for an id the patients service confirms."""

import asyncio
import uuid

import pytest

from services.common.columns import utcnow
from tests.factories import bearer, headers_for, make_account, token_for
from tests.scheduling.factories import make_therapist

MONDAY_MORNING = {"location": "gaithersburg", "weekday": 0, "start": "08:00", "end": "12:00"}


def _url(therapist_id) -> str:
    return f"/v1/therapists/{therapist_id}/hours"


async def test_an_admin_sets_the_week_and_reads_it_back(scheduling_api, apps, db):
    therapist, admin = await make_therapist(db), await headers_for(db, apps, "admin")
    week = [
        {"location": "frederick", "weekday": 2, "start": "13:00", "end": "17:30"},
        MONDAY_MORNING,
        {"location": "columbia", "weekday": 0, "start": "13:00", "end": "18:00"},
    ]
    response = await scheduling_api.put(_url(therapist.id), json=week, headers=admin)
    assert response.status_code == 200, response.text
    stored = {"therapist_id": str(therapist.id), "hours": [week[1], week[2], week[0]]}
    assert response.json() == stored
    assert (await scheduling_api.get(_url(therapist.id), headers=admin)).json() == stored


async def test_a_new_week_replaces_the_old_one_whole(scheduling_api, apps, db):
    therapist, admin = await make_therapist(db), await headers_for(db, apps, "admin")
    await scheduling_api.put(_url(therapist.id), json=[MONDAY_MORNING], headers=admin)
    friday = {"location": "columbia", "weekday": 4, "start": "09:00", "end": "10:00"}
    response = await scheduling_api.put(_url(therapist.id), json=[friday], headers=admin)
    assert response.json()["hours"] == [friday]
    cleared = await scheduling_api.put(_url(therapist.id), json=[], headers=admin)
    assert cleared.json()["hours"] == []


async def test_who_reads_hours(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    own = bearer(token_for(apps, therapist))
    assert (await scheduling_api.get(_url(therapist.id), headers=own)).status_code == 200
    front_desk = await headers_for(db, apps, "front_desk")
    assert (await scheduling_api.get(_url(therapist.id), headers=front_desk)).status_code == 200
    colleague = await headers_for(db, apps, "therapist")
    assert (await scheduling_api.get(_url(therapist.id), headers=colleague)).status_code == 403
    patient = await headers_for(db, apps, "patient")
    assert (await scheduling_api.get(_url(therapist.id), headers=patient)).status_code == 403


@pytest.mark.parametrize("role", ["therapist", "front_desk", "patient"])
async def test_only_admins_set_hours(scheduling_api, apps, db, role):
    therapist = await make_therapist(db)
    caller = therapist if role == "therapist" else await make_account(db, role=role)
    headers = bearer(token_for(apps, caller))
    response = await scheduling_api.put(_url(therapist.id), json=[MONDAY_MORNING], headers=headers)
    assert response.status_code == 403


# -- the id: a therapist's account, confirmed by the patients service ---------------------------


@pytest.mark.parametrize("role", ["front_desk", "admin", "patient", None])
async def test_an_id_that_is_not_a_therapist_is_404(scheduling_api, apps, db, role):
    other = (await make_account(db, role=role)).id if role else uuid.uuid4()
    admin = await headers_for(db, apps, "admin")
    response = await scheduling_api.put(_url(other), json=[MONDAY_MORNING], headers=admin)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_disabled_therapist_can_only_be_cleared(scheduling_api, apps, db):
    therapist = await make_therapist(db, disabled_at=utcnow())
    admin = await headers_for(db, apps, "admin")
    refused = await scheduling_api.put(_url(therapist.id), json=[MONDAY_MORNING], headers=admin)
    assert refused.status_code == 409
    assert (await scheduling_api.put(_url(therapist.id), json=[], headers=admin)).status_code == 200


async def test_the_therapist_check_is_asked_as_the_scheduling_service(scheduling_api, apps, db):
    """The patients service's status route takes service tokens only: a user's token would
    be refused, so a 200 here means scheduling asked as itself."""
    therapist, admin = await make_therapist(db), await headers_for(db, apps, "admin")
    response = await scheduling_api.put(_url(therapist.id), json=[MONDAY_MORNING], headers=admin)
    assert response.status_code == 200


# -- what a week may hold: 422 naming the entry and the field -----------------------------------


@pytest.mark.parametrize(
    ("entries", "where"),
    [
        ([MONDAY_MORNING | {"end": "08:00"}], [0, "end"]),
        ([MONDAY_MORNING | {"end": "07:30"}], [0, "end"]),
        ([MONDAY_MORNING | {"start": "06:00"}], [0, "start"]),  # opens at 07:00
        ([MONDAY_MORNING | {"end": "19:30"}], [0, "start"]),  # closes at 19:00
        ([MONDAY_MORNING | {"weekday": 6}], [0, "weekday"]),  # closed on Sundays
        ([MONDAY_MORNING | {"location": "baltimore"}], [0, "location"]),
        ([MONDAY_MORNING | {"location": "Gaithersburg"}], [0, "location"]),
        ([MONDAY_MORNING | {"weekday": 7}], [0, "weekday"]),
        ([MONDAY_MORNING | {"start": "8:00"}], [0, "start"]),
        ([MONDAY_MORNING | {"start": "08:00:00"}], [0, "start"]),
        ([MONDAY_MORNING | {"start": "24:00"}], [0, "start"]),
        ([MONDAY_MORNING | {"room": "Gym"}], [0, "room"]),
        ([MONDAY_MORNING, MONDAY_MORNING | {"start": "11:00", "end": "13:00"}], [1, "start"]),
        (  # the same weekday at another clinic: nobody is in two places at once
            [MONDAY_MORNING, MONDAY_MORNING | {"location": "columbia", "start": "11:59"}],
            [1, "start"],
        ),
        (  # inside a longer stretch, past a shorter one between
            [
                MONDAY_MORNING,
                MONDAY_MORNING | {"start": "08:30", "end": "09:00"},
                MONDAY_MORNING | {"start": "10:00", "end": "10:30"},
            ],
            [2, "start"],
        ),
    ],
)
async def test_a_week_that_breaks_a_rule_is_422_and_nothing_changes(
    scheduling_api, apps, db, entries, where
):
    therapist, admin = await make_therapist(db), await headers_for(db, apps, "admin")
    friday = {"location": "columbia", "weekday": 4, "start": "09:00", "end": "10:00"}
    await scheduling_api.put(_url(therapist.id), json=[friday], headers=admin)

    response = await scheduling_api.put(_url(therapist.id), json=entries, headers=admin)

    assert response.status_code == 422, response.text
    assert ["body", *where] in [e["loc"] for e in response.json()["errors"]]
    assert (await scheduling_api.get(_url(therapist.id), headers=admin)).json()["hours"] == [friday]


async def test_back_to_back_stretches_are_fine(scheduling_api, apps, db):
    therapist, admin = await make_therapist(db), await headers_for(db, apps, "admin")
    afternoon = MONDAY_MORNING | {"location": "columbia", "start": "12:00", "end": "16:00"}
    response = await scheduling_api.put(
        _url(therapist.id), json=[MONDAY_MORNING, afternoon], headers=admin
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("body", [{"hours": [MONDAY_MORNING]}, [MONDAY_MORNING] * 71, None])
async def test_a_body_that_is_not_a_week_is_422(scheduling_api, apps, db, body):
    therapist, admin = await make_therapist(db), await headers_for(db, apps, "admin")
    response = await scheduling_api.put(_url(therapist.id), json=body, headers=admin)
    assert response.status_code == 422


# -- racing replacements ------------------------------------------------------------------------


async def test_racing_weeks_leave_exactly_one_of_them(committed_apis, committed_db, apps):
    """Ten admins set ten different weeks at once: every request succeeds and the week
    stored is exactly one of them, never a mix (the therapist's schedule lock). Without the
    lock, both of two racers delete the old week and insert their own."""
    therapist = await make_therapist(committed_db)
    admin = bearer(token_for(apps, await make_account(committed_db, role="admin")))
    weeks = [
        [
            {"location": "frederick", "weekday": day, "start": f"{8 + n:02}:00", "end": "19:00"}
            for day in range(n % 3 + 1)
        ]
        for n in range(10)
    ]
    api = committed_apis["scheduling"]

    answers = await asyncio.gather(
        *(api.put(_url(therapist.id), json=week, headers=admin) for week in weeks)
    )

    assert [a.status_code for a in answers] == [200] * 10
    stored = (await api.get(_url(therapist.id), headers=admin)).json()["hours"]
    assert stored in weeks
    # Leave Frederick's committed hours as they were for the other tests of this worker.
    assert (await api.put(_url(therapist.id), json=[], headers=admin)).status_code == 200
