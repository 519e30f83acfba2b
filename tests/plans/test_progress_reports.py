"""Progress reports over HTTP: numbered per plan, restarting the visit clock, setting the
goals' statuses; therapists and admins only, concurrent reports never share a number."""

import asyncio
import uuid

import pytest
from sqlmodel import col, select

from services.plans.models import AuditEvent, PlanOfCare, ProgressReport
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.plans.factories import make_plan


def _reports(plan_id: uuid.UUID) -> str:
    return f"/v1/plans/{plan_id}/progress-reports"


def _body(plan: PlanOfCare, status: str = "met", **fields: object) -> dict[str, object]:
    goal = plan.goals[0]["id"]
    return {"goal_statuses": [{"goal_id": goal, "status": status, "note": "30 min"}]} | fields


async def _fresh(db, model, key):
    return await db.get(model, key, populate_existing=True)


async def _plan(db, **fields) -> PlanOfCare:
    return await make_plan(db, patient_id=(await make_patient(db)).id, **fields)


async def test_a_report_restarts_the_visit_clock_and_sets_the_goals(plans_api, db, apps):
    plan = await _plan(db, completed_visits=12, visits_since_progress_report=12)
    therapist = await make_account(db, role="therapist")
    headers = bearer(token_for(apps, therapist))
    version = plan.version

    response = await plans_api.post(
        _reports(plan.id), json=_body(plan, note="Walks 30 min pain-free."), headers=headers
    )

    assert response.status_code == 201, response.text
    report = response.json()
    assert response.headers["location"] == f"{_reports(plan.id)}/{report['id']}"
    assert (report["number"], report["visits_covered"], report["completed_visits"]) == (1, 12, 12)
    assert report["goal_statuses"] == [
        {"goal_id": plan.goals[0]["id"], "status": "met", "note": "30 min"}
    ]
    assert report["created_by"] == str(therapist.id)
    after = await _fresh(db, PlanOfCare, plan.id)
    assert (after.visits_since_progress_report, after.progress_reports) == (0, 1)
    assert after.completed_visits == 12 and after.last_progress_report_at is not None
    assert after.version == version + 1
    assert after.goals[0]["status"] == "met" and after.goals[0]["text"] == plan.goals[0]["text"]
    audited = (await db.exec(select(AuditEvent).where(AuditEvent.entity_id == report["id"]))).one()
    assert (audited.action, audited.patient_id) == ("plan.progress_report.create", plan.patient_id)


async def test_reports_are_numbered_and_read_back_newest_first(plans_api, db, apps):
    plan = await _plan(db, status="on_hold", visits_since_progress_report=4)
    headers = await headers_for(db, apps, "admin")
    for status in ("in_progress", "in_progress", "met"):
        created = await plans_api.post(_reports(plan.id), json=_body(plan, status), headers=headers)
        assert created.status_code == 201, created.text

    first = (await plans_api.get(_reports(plan.id), params={"limit": 2}, headers=headers)).json()
    rest = await plans_api.get(
        _reports(plan.id), params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
    )

    numbers = [r["number"] for r in first["items"] + rest.json()["items"]]
    assert numbers == [3, 2, 1] and rest.json()["next_cursor"] is None
    assert [r["visits_covered"] for r in first["items"] + rest.json()["items"]] == [0, 0, 4]
    one = await plans_api.get(f"{_reports(plan.id)}/{first['items'][0]['id']}", headers=headers)
    assert one.status_code == 200 and one.json() == first["items"][0]


async def test_a_report_of_another_plan_is_not_found(plans_api, db, apps):
    plan, other = await _plan(db), await _plan(db)
    headers = await headers_for(db, apps, "therapist")
    created = await plans_api.post(_reports(other.id), json=_body(other), headers=headers)

    response = await plans_api.get(f"{_reports(plan.id)}/{created.json()['id']}", headers=headers)

    assert response.status_code == 404
    missing = await plans_api.get(f"{_reports(uuid.uuid4())}", headers=headers)
    assert missing.status_code == 404


@pytest.mark.parametrize("status", ["draft", "completed", "discontinued"])
async def test_only_active_and_on_hold_plans_take_reports(plans_api, db, apps, status):
    fields = {"status_reason": "done"} if status != "draft" else {}
    plan = await _plan(db, status=status, **fields)
    headers = await headers_for(db, apps, "therapist")

    response = await plans_api.post(_reports(plan.id), json=_body(plan), headers=headers)

    assert response.status_code == 409 and status in response.json()["detail"]
    assert (await _fresh(db, PlanOfCare, plan.id)).progress_reports == 0


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"goal_statuses": [{"goal_id": str(uuid.uuid4()), "status": "met"}]}, 0),
        ("second unknown", 1),
        ({"goal_statuses": []}, None),
        ({"goal_statuses": [{"goal_id": "GOAL", "status": "achieved"}]}, None),
        ({"mood": "great"}, None),
        ("twice", None),
    ],
)
async def test_bad_reports_are_refused_and_change_nothing(plans_api, db, apps, change, where):
    plan = await _plan(db, visits_since_progress_report=10)
    version, goal = plan.version, plan.goals[0]["id"]
    body = _body(plan)
    if change == "second unknown":
        body["goal_statuses"].append({"goal_id": str(uuid.uuid4()), "status": "met"})
    elif change == "twice":
        body["goal_statuses"].append({"goal_id": goal, "status": "met"})
    else:
        body = {**body, **change}
        if body.get("goal_statuses") and body["goal_statuses"][0]["goal_id"] == "GOAL":
            body["goal_statuses"][0]["goal_id"] = goal

    response = await plans_api.post(
        _reports(plan.id), json=body, headers=await headers_for(db, apps, "therapist")
    )

    assert response.status_code == 422, response.text
    if where is not None:
        assert response.json()["errors"][0]["loc"] == ["body", "goal_statuses", where, "goal_id"]
    after = await _fresh(db, PlanOfCare, plan.id)
    assert (after.visits_since_progress_report, after.version) == (10, version)
    reports = await db.exec(select(ProgressReport).where(ProgressReport.plan_id == plan.id))
    assert reports.all() == []


async def test_patients_and_front_desk_are_refused(plans_api, db, apps):
    own_patient = await make_patient(db)
    own = await make_plan(db, patient_id=own_patient.id)
    other = await _plan(db)
    patient = bearer(token_for(apps, await make_account(db, role="patient", patient=own_patient)))
    desk = await headers_for(db, apps, "front_desk")
    report = await plans_api.post(
        _reports(own.id), json=_body(own), headers=await headers_for(db, apps, "therapist")
    )
    one = f"{_reports(own.id)}/{report.json()['id']}"

    for method, url in (("POST", _reports(own.id)), ("GET", _reports(own.id)), ("GET", one)):
        body = _body(own) if method == "POST" else None
        assert (await plans_api.request(method, url, json=body, headers=patient)).status_code == 403
        assert (await plans_api.request(method, url, json=body, headers=desk)).status_code == 403
    theirs = await plans_api.get(_reports(other.id), headers=patient)
    nobodys = await plans_api.get(_reports(uuid.uuid4()), headers=patient)
    assert theirs.status_code == nobodys.status_code == 404
    assert {k: v for k, v in theirs.json().items() if k != "instance"} == {
        k: v for k, v in nobodys.json().items() if k != "instance"
    }
    refused = await db.exec(
        select(AuditEvent.action).where(
            AuditEvent.patient_id == other.patient_id, col(AuditEvent.outcome) == "denied"
        )
    )
    assert refused.all() == ["plan.progress_report.list"]


async def test_concurrent_reports_take_one_number_each(committed_apis, committed_db, apps):
    plan = await _plan(committed_db, visits_since_progress_report=10, completed_visits=10)
    headers = bearer(token_for(apps, await make_account(committed_db, role="therapist")))
    api, version = committed_apis["plans"], plan.version

    answers = await asyncio.gather(
        *(api.post(_reports(plan.id), json=_body(plan), headers=headers) for _ in range(10))
    )

    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
    assert sorted(a.json()["number"] for a in answers) == list(range(1, 11))
    assert sorted(a.json()["visits_covered"] for a in answers) == [0] * 9 + [10]
    after = await _fresh(committed_db, PlanOfCare, plan.id)
    assert (after.progress_reports, after.visits_since_progress_report) == (10, 0)
    assert after.version == version + 10
