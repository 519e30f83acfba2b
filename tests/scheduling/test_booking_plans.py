"""Booking a visit of a plan of care: the plans service (asked with the caller's token)
confirms the plan is the patient's, active, certified for the visit's date, and, with an
authorization, has a visit left counting every live visit already booked on it; otherwise
409 saying why. Warnings when the authorization is nearly used up or a progress report is
due. The plans service down: 503, nothing booked."""

import uuid
from datetime import date

import pytest

from tests.factories import headers_for, make_patient
from tests.plans.factories import make_plan
from tests.scheduling.booking import (
    a_clinic,
    appointments_of,
    fix_clock,
    plan_facts,
    plans_answering,
)

MONDAY, TUESDAY = "2026-12-07T09:00:00-05:00", "2026-12-08T09:00:00-05:00"


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


def authorization(visits_left: int, *, until: date = date(2027, 3, 1)) -> dict:
    return {
        "visits": 12,
        "valid_from": "2026-11-01",
        "valid_until": until.isoformat(),
        "visits_left": visits_left,
    }


async def test_a_visit_of_an_active_plan_books_with_the_callers_token(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id))
        response = await clinic.book(plan_id=plan_id)
    assert response.status_code == 201, response.text
    assert response.json()["plan_id"] == plan_id and response.json()["warnings"] == []
    (asked,) = plans.asked
    assert asked.headers["authorization"] == clinic.desk["Authorization"]


@pytest.mark.parametrize(
    ("facts", "why"),
    [
        ({"status": "on_hold"}, "The plan of care is on hold"),
        ({"status": "draft"}, "The plan of care is draft"),
        ({"certification": (date(2026, 9, 1), date(2026, 11, 30))}, "certification period"),
        ({"authorization": authorization(5, until=date(2026, 12, 4))}, "after the authorization"),
        ({"authorization": authorization(0)}, "none is left"),
    ],
)
async def test_a_plan_that_does_not_cover_the_visit_is_409_saying_why(
    scheduling_api, apps, db, facts, why
):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id, **facts))
        response = await clinic.book(plan_id=plan_id)
    assert response.status_code == 409, response.text
    assert why in response.json()["detail"]
    assert await appointments_of(db, clinic.patient.id) == 0


async def test_another_patients_plan_is_409(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(uuid.uuid4()))
        response = await clinic.book(plan_id=plan_id)
    assert response.status_code == 409 and "another patient's" in response.json()["detail"]


async def test_an_unknown_plan_is_422_naming_it(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps):
        response = await clinic.book(plan_id=str(uuid.uuid4()))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "plan_id"]


async def test_visits_already_booked_count_against_the_authorization(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id, authorization=authorization(2)))
        first = await clinic.book(plan_id=plan_id, start=MONDAY)
        second = await clinic.book(plan_id=plan_id, start=TUESDAY)
        third = await clinic.book(plan_id=plan_id, start="2026-12-09T09:00:00-05:00")
    assert [r.status_code for r in (first, second, third)] == [201, 201, 409]
    assert third.json()["detail"] == (
        "The authorization has 2 visit(s) left and 2 are booked already: none is left for this one."
    )
    assert [w["code"] for w in first.json()["warnings"]] == ["authorization_visits_low"]
    assert (
        second.json()["warnings"][0]["message"]
        == "After this visit, 0 authorized visit(s) are left."
    )


async def test_a_cancelled_visit_no_longer_counts(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id, authorization=authorization(1)))
        first = (await clinic.book(plan_id=plan_id, start=MONDAY)).json()
        url = f"/v1/appointments/{first['id']}/cancel"
        await scheduling_api.post(url, json={"reason": "moved"}, headers=clinic.desk)
        again = await clinic.book(plan_id=plan_id, start=TUESDAY)
    assert again.status_code == 201, again.text


async def test_warnings_of_the_authorizations_last_days_and_a_due_progress_report(
    scheduling_api, apps, db
):
    clinic = await a_clinic(scheduling_api, apps, db)
    facts = plan_facts(
        clinic.patient.id,
        authorization=authorization(8, until=date(2026, 12, 14)),
        since_report=10,
    )
    with plans_answering(apps) as plans:
        response = await clinic.book(plan_id=plans.add(facts))
    assert response.status_code == 201, response.text
    warnings = {w["code"]: w["message"] for w in response.json()["warnings"]}
    assert warnings == {
        "authorization_ending": "The authorization ends on 2026-12-14, 7 day(s) after.",
        "progress_report_due": "This is visit 11 since the last progress report: one is due "
        "every 10 visits.",
    }


async def test_plans_unreachable_is_503_and_nothing_is_booked(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    with plans_answering(apps) as plans:
        plan_id = plans.add(plan_facts(clinic.patient.id))
        plans.down = True
        response = await clinic.book(plan_id=plan_id)
    assert response.status_code == 503 and response.headers["retry-after"]
    assert await appointments_of(db, clinic.patient.id) == 0


# -- against the plans service itself -----------------------------------------------------------

CERTIFIED = {
    "start_date": date(2026, 11, 30),
    "certification_start": date(2026, 11, 30),
    "certification_end": date(2027, 1, 29),
}


@pytest.mark.parametrize("role", ["front_desk", "admin"])
async def test_a_real_plans_scheduling_facts_let_the_desk_book_its_visit(
    scheduling_api, apps, db, role
):
    clinic = await a_clinic(scheduling_api, apps, db)
    plan = await make_plan(
        db,
        patient_id=clinic.patient.id,
        authorization_visits=3,
        authorization_valid_from=date(2026, 11, 30),
        authorization_valid_until=date(2027, 1, 29),
        **CERTIFIED,
    )
    headers = await headers_for(db, apps, role)
    body = clinic.booking(plan_id=str(plan.id))
    response = await scheduling_api.post("/v1/appointments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert [w["message"] for w in response.json()["warnings"]] == [
        "After this visit, 2 authorized visit(s) are left."
    ]


async def test_a_real_plan_on_hold_or_of_another_patient_is_409(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    on_hold = await make_plan(db, patient_id=clinic.patient.id, status="on_hold", **CERTIFIED)
    others = await make_plan(db, patient_id=(await make_patient(db)).id, **CERTIFIED)
    for plan, why in ((on_hold, "on hold"), (others, "another patient's")):
        response = await clinic.book(plan_id=str(plan.id))
        assert response.status_code == 409 and why in response.json()["detail"], response.text
