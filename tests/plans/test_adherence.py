"""Adherence over HTTP: sessions per plan week against the home program's days per week,
overall, and the pain series with its trend, for histories built day by day."""

import statistics
from datetime import timedelta

import pytest
from sqlmodel import select

from services.plans.models import AuditEvent
from tests.factories import headers_for
from tests.plans.factories import make_session
from tests.plans.home_setup import clinic_today, patient_with_plan

# Day offsets from the plan's start, and the pain logged: 5 days of week 1, all of week 2,
# 2 of the 4 days of week 3 so far (today is day 17).
HISTORY = {0: 6, 1: 6, 2: 6, 4: 6, 5: 6} | {d: 4 for d in range(7, 14)} | {14: 2, 16: 2}


async def _adherence(plans_api, world, headers=None, **params):
    url = f"/v1/plans/{world.plan.id}/adherence"
    return await plans_api.get(url, params=params, headers=headers or world.headers)


async def test_weeks_overall_and_pain_of_a_constructed_history(plans_api, db, apps):
    start = clinic_today() - timedelta(days=17)
    world = await patient_with_plan(db, apps, start_date=start)
    for offset, pain in HISTORY.items():
        await make_session(db, plan=world.plan, performed_on=start + timedelta(offset), pain=pain)

    response = await _adherence(plans_api, world)

    assert response.status_code == 200, response.text
    body = response.json()
    # the every-day calf stretch sets the target: 7 days a week
    assert (body["from"], body["to"]) == (start.isoformat(), clinic_today().isoformat())
    assert body["target_days_per_week"] == 7
    weeks = [
        (w["week"], w["days"], w["target"], w["sessions"], w["percent"]) for w in body["weeks"]
    ]
    assert weeks == [(1, 7, 7, 5, 71.4), (2, 7, 7, 7, 100.0), (3, 4, 4, 2, 50.0)]
    assert body["weeks"][2]["starts_on"] == (start + timedelta(days=14)).isoformat()
    assert body["overall"] == {"sessions": 14, "target": 18, "percent": 77.8}
    series = body["pain"]["series"]
    assert [p["pain"] for p in series] == list(HISTORY.values())
    assert series[0]["date"] == start.isoformat()
    weeks_in = [offset / 7 for offset in HISTORY]
    expected = statistics.linear_regression(weeks_in, list(HISTORY.values())).slope
    assert body["pain"]["slope_per_week"] == round(expected, 2) == -1.78
    assert body["pain"]["trend"] == "improving"


async def test_a_part_week_asks_for_its_share_and_extra_sessions_do_not_count(plans_api, db, apps):
    start = clinic_today() - timedelta(days=20)
    world = await patient_with_plan(db, apps, start_date=start)
    world.plan.program = [item for item in world.plan.program if item["slug"] == "toe-spreads"]
    db.add(world.plan)
    await db.commit()  # the home part is toe spreads alone: 5 days a week
    for offset in (7, 8, 9):
        await make_session(db, plan=world.plan, performed_on=start + timedelta(offset))

    body = (
        await _adherence(
            plans_api,
            world,
            **{
                "from": (start + timedelta(7)).isoformat(),
                "to": (start + timedelta(9)).isoformat(),
            },
        )
    ).json()

    assert body["target_days_per_week"] == 5
    assert [(w["week"], w["days"], w["target"], w["sessions"]) for w in body["weeks"]] == [
        (2, 3, 2, 3)
    ]
    assert body["weeks"][0]["percent"] == 100.0
    assert body["overall"] == {"sessions": 3, "target": 2, "percent": 100.0}


@pytest.mark.parametrize(
    ("pains", "trend"),
    [((3, 3, 3), "steady"), ((2, 4, 6), "worsening"), ((5,), None)],
)
async def test_the_pain_trend_in_words(plans_api, db, apps, pains, trend):
    world = await patient_with_plan(db, apps)
    for back, pain in enumerate(reversed(pains)):
        await make_session(
            db, plan=world.plan, performed_on=clinic_today() - timedelta(back * 7), pain=pain
        )

    pain = (await _adherence(plans_api, world)).json()["pain"]

    assert pain["trend"] == trend
    assert pain["slope_per_week"] == {"steady": 0.0, "worsening": 2.0, None: None}[trend]


async def test_a_completed_plan_ends_at_its_planned_last_day(plans_api, db, apps):
    start = clinic_today() - timedelta(days=60)
    world = await patient_with_plan(
        db, apps, start_date=start, duration_weeks=2, status="completed"
    )

    body = (await _adherence(plans_api, world)).json()

    assert body["to"] == (start + timedelta(days=13)).isoformat()
    assert [w["week"] for w in body["weeks"]] == [1, 2]
    assert body["overall"] == {"sessions": 0, "target": 14, "percent": 0.0}


async def test_from_after_to_is_refused(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    today = clinic_today()

    response = await _adherence(
        plans_api, world, **{"from": today.isoformat(), "to": (today - timedelta(1)).isoformat()}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "from"]


@pytest.mark.parametrize(
    ("role", "status"), [("therapist", 200), ("admin", 200), ("front_desk", 403)]
)
async def test_who_reads_adherence(plans_api, db, apps, role, status):
    world = await patient_with_plan(db, apps)

    response = await _adherence(plans_api, world, headers=await headers_for(db, apps, role))

    assert response.status_code == status
    outcome = "success" if status == 200 else "denied"
    statement = select(AuditEvent).where(
        AuditEvent.action == "adherence.read", AuditEvent.outcome == outcome
    )
    assert len((await db.exec(statement)).all()) == 1
