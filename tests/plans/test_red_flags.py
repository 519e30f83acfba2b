"""Red flags over HTTP: a home log that meets the plan's criteria flags it for the therapist
(one row per reason, in the log's transaction), the patient is told to call the clinic, and
a therapist acknowledges the flag once."""

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from services.plans.models import AuditEvent, RedFlag
from tests.factories import headers_for
from tests.plans.factories import NEUROMA_RED_FLAGS, make_session
from tests.plans.home_setup import a_log, clinic_today, patient_with_plan


async def _flags(db, plan) -> list[RedFlag]:
    statement = select(RedFlag).where(RedFlag.plan_id == plan.id).order_by(RedFlag.reason)
    return list((await db.exec(statement)).all())


async def test_a_pain_of_8_raises_one_pain_high_flag(plans_api, db, apps):
    world = await patient_with_plan(db, apps)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today(), pain=8), headers=world.headers
    )

    assert response.status_code == 201
    logged = response.json()
    assert logged["red_flags"] == ["pain_high"]
    assert "call the clinic" in logged["advice"]
    flags = await _flags(db, world.plan)
    assert [(f.reason, str(f.session_id)) for f in flags] == [("pain_high", logged["id"])]
    assert "8/10" in flags[0].detail and flags[0].acknowledged_at is None


async def test_the_plans_own_advice_is_what_the_patient_reads(plans_api, db, apps):
    advice = "Stop the exercises and call us at 301-555-0100."
    world = await patient_with_plan(
        db, apps, red_flag_criteria=NEUROMA_RED_FLAGS | {"advice": advice}
    )

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today(), pain=9), headers=world.headers
    )

    assert response.json()["advice"] == advice


async def test_a_pain_below_the_threshold_raises_nothing(plans_api, db, apps):
    world = await patient_with_plan(db, apps)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today(), pain=6), headers=world.headers
    )

    assert response.json()["red_flags"] == [] and response.json()["advice"] is None
    assert await _flags(db, world.plan) == []


@pytest.mark.parametrize(
    ("pains", "rising"),
    [((2, 3, 4), True), ((2, 3, 3), False), ((4, 3, 5), False), ((5, 6), False)],
)
async def test_pain_rising_over_three_logs(plans_api, db, apps, pains, rising):
    world = await patient_with_plan(db, apps)
    today = clinic_today()
    days = [today - timedelta(days=len(pains) - 1 - n) for n in range(len(pains))]
    for day, pain in zip(days[:-1], pains[:-1], strict=True):
        await make_session(db, plan=world.plan, performed_on=day, pain=pain)

    response = await plans_api.post(
        world.sessions, json=a_log(days[-1], pain=pains[-1]), headers=world.headers
    )

    assert response.json()["red_flags"] == (["pain_rising"] if rising else [])
    flags = await _flags(db, world.plan)
    assert [f.reason for f in flags] == (["pain_rising"] if rising else [])
    if rising:
        assert "2, 3, 4" in flags[0].detail


@pytest.mark.parametrize(
    ("before", "flagged"),
    [(None, True), (False, True), (True, False)],
    ids=["first log", "previous without", "previous with"],
)
async def test_new_numbness(plans_api, db, apps, before, flagged):
    world = await patient_with_plan(db, apps)
    if before is not None:
        yesterday = clinic_today() - timedelta(days=1)
        await make_session(db, plan=world.plan, performed_on=yesterday, numbness=before)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today(), numbness=True), headers=world.headers
    )

    assert response.json()["red_flags"] == (["new_numbness"] if flagged else [])


async def test_one_log_can_trip_several_criteria(plans_api, db, apps):
    world = await patient_with_plan(db, apps)

    response = await plans_api.post(
        world.sessions, json=a_log(clinic_today(), pain=9, numbness=True), headers=world.headers
    )

    assert response.json()["red_flags"] == ["new_numbness", "pain_high"]
    assert len(await _flags(db, world.plan)) == 2


async def test_a_correction_is_checked_again_and_flags_once(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    logged = await plans_api.post(world.sessions, json=a_log(clinic_today()), headers=world.headers)
    url, headers = logged.headers["Location"], world.headers | {"If-Match": "*"}

    worse = await plans_api.patch(url, json={"pain": 8}, headers=headers)
    worst = await plans_api.patch(url, json={"pain": 10}, headers=headers)

    assert worse.json()["red_flags"] == worst.json()["red_flags"] == ["pain_high"]
    assert worst.json()["advice"]
    assert [f.reason for f in await _flags(db, world.plan)] == ["pain_high"]


async def test_a_therapist_reads_and_acknowledges_a_flag_once(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    await plans_api.post(world.sessions, json=a_log(clinic_today(), pain=8), headers=world.headers)
    therapist = await headers_for(db, apps, "therapist")
    flags_url = f"/v1/plans/{world.plan.id}/red-flags"

    listed = await plans_api.get(flags_url, params={"open": "true"}, headers=therapist)
    flag = listed.json()["items"][0]
    ack_url = f"{flags_url}/{flag['id']}/acknowledge"
    acknowledged = await plans_api.post(
        ack_url, json={"note": "Called; seeing her Monday."}, headers=therapist
    )
    twice = await plans_api.post(ack_url, json={"note": "again"}, headers=therapist)
    still_open = await plans_api.get(flags_url, params={"open": "true"}, headers=therapist)
    every = await plans_api.get(flags_url, headers=therapist)

    assert flag["reason"] == "pain_high"
    assert flag["medical_options"] == NEUROMA_RED_FLAGS["medical_options"]
    assert flag["session_url"].startswith(world.sessions)
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledgement_note"] == "Called; seeing her Monday."
    assert acknowledged.json()["acknowledged_at"] is not None
    assert twice.status_code == 409
    assert still_open.json()["items"] == []
    assert [f["id"] for f in every.json()["items"]] == [flag["id"]]
    actions = (
        await db.exec(select(AuditEvent.action).where(AuditEvent.patient_id == world.patient.id))
    ).all()
    assert {"session.create", "red_flag.list", "red_flag.acknowledge"} <= set(actions)


@pytest.mark.parametrize("role", ["patient", "front_desk"])
async def test_red_flags_are_for_therapists_and_admins(plans_api, db, apps, role):
    world = await patient_with_plan(db, apps)
    logged = await make_session(db, plan=world.plan, performed_on=clinic_today(), pain=9)
    flag = RedFlag(plan_id=world.plan.id, session_id=logged.id, reason="pain_high", detail="9")
    db.add(flag)
    await db.commit()
    headers = world.headers if role == "patient" else await headers_for(db, apps, role)
    flags_url = f"/v1/plans/{world.plan.id}/red-flags"

    listed = await plans_api.get(flags_url, headers=headers)
    acknowledged = await plans_api.post(
        f"{flags_url}/{flag.id}/acknowledge", json={"note": "seen"}, headers=headers
    )

    assert listed.status_code == acknowledged.status_code == 403


async def test_a_flag_of_another_plan_is_not_found(plans_api, db, apps):
    world = await patient_with_plan(db, apps)
    other = await patient_with_plan(db, apps)
    logged = await make_session(db, plan=other.plan, performed_on=clinic_today(), pain=9)
    flag = RedFlag(plan_id=other.plan.id, session_id=logged.id, reason="pain_high", detail="9")
    db.add(flag)
    await db.commit()

    response = await plans_api.post(
        f"/v1/plans/{world.plan.id}/red-flags/{flag.id}/acknowledge",
        json={"note": "seen"},
        headers=await headers_for(db, apps, "therapist"),
    )

    assert response.status_code == 404


async def test_two_therapists_acknowledging_at_once_one_wins(apps, committed_apis, committed_db):
    world = await patient_with_plan(committed_db, apps)
    api = committed_apis["plans"]
    await api.post(world.sessions, json=a_log(clinic_today(), pain=9), headers=world.headers)
    therapists = [await headers_for(committed_db, apps, "therapist") for _ in range(2)]
    flags_url = f"/v1/plans/{world.plan.id}/red-flags"
    flag = (await api.get(flags_url, headers=therapists[0])).json()["items"][0]
    url = f"{flags_url}/{flag['id']}/acknowledge"

    answers = await asyncio.gather(
        *(api.post(url, json={"note": "seen"}, headers=h) for h in therapists)
    )

    assert sorted(a.status_code for a in answers) == [200, 409]
