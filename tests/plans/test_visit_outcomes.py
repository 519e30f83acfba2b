"""Visit outcomes from scheduling (a service-only route): each completed visit, and its
undoing, moves the plan's visit counts once, whatever repeats and races the relay makes."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, func, select

from services.plans.models import AuditEvent, PlanOfCare, PlanVisit, VisitEvent
from tests.factories import bearer, headers_for, make_patient
from tests.plans.factories import make_plan

URL = "/v1/visit-outcomes"
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _service(apps, name: str = "scheduling") -> dict[str, str]:
    signer = apps["patients"].state.signer
    return bearer(signer.service_token(service=name, lifetime=timedelta(minutes=5)))


def _outcome(plan: PlanOfCare, appointment: uuid.UUID, outcome: str = "completed", **fields):
    return {
        "event_id": str(uuid.uuid4()),
        "plan_id": str(plan.id),
        "appointment_id": str(appointment),
        "outcome": outcome,
        "occurred_at": NOW.isoformat(),
        "visit_date": "2026-11-20",
    } | fields


async def _counts(db, plan_id: uuid.UUID) -> tuple[int, int]:
    plan = await db.get(PlanOfCare, plan_id, populate_existing=True)
    return plan.completed_visits, plan.visits_since_progress_report


async def _plan(db, **fields) -> PlanOfCare:
    return await make_plan(db, patient_id=(await make_patient(db)).id, **fields)


async def _later(minutes: int) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat()


async def test_a_completed_visit_counts_once(plans_api, db, apps):
    plan = await _plan(db, completed_visits=3, visits_since_progress_report=3)
    version = plan.version
    body = _outcome(plan, uuid.uuid4())

    first = await plans_api.post(URL, json=body, headers=_service(apps))
    again = await plans_api.post(URL, json=body, headers=_service(apps))

    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["event_id"] == body["event_id"] and first.json()["outcome"] == "completed"
    assert await _counts(db, plan.id) == (4, 4)
    assert (await db.get(PlanOfCare, plan.id)).version == version + 1
    visit = await db.get(PlanVisit, uuid.UUID(body["appointment_id"]))
    assert (visit.completed, visit.cycle, visit.visit_date) == (True, 0, date(2026, 11, 20))
    audited = (await db.exec(select(AuditEvent).where(AuditEvent.entity_id == str(plan.id)))).one()
    assert (audited.action, audited.actor_role, audited.patient_id) == (
        "plan.visit.completed",
        "service",
        plan.patient_id,
    )
    assert audited.detail["counted"] is True


async def test_another_event_completing_the_same_visit_counts_nothing(plans_api, db, apps):
    plan = await _plan(db)
    appointment = uuid.uuid4()
    for _ in range(2):
        answer = await plans_api.post(URL, json=_outcome(plan, appointment), headers=_service(apps))
        assert answer.status_code == 200
    assert await _counts(db, plan.id) == (1, 1)


async def test_undoing_a_visit_takes_it_off_and_it_can_be_completed_again(plans_api, db, apps):
    plan = await _plan(db)
    appointment, headers = uuid.uuid4(), _service(apps)
    await plans_api.post(URL, json=_outcome(plan, appointment), headers=headers)

    undone = _outcome(plan, appointment, "undone", occurred_at=await _later(5))
    assert (await plans_api.post(URL, json=undone, headers=headers)).status_code == 200
    assert await _counts(db, plan.id) == (0, 0)
    again = _outcome(plan, appointment, occurred_at=await _later(10))
    assert (await plans_api.post(URL, json=again, headers=headers)).status_code == 200
    assert await _counts(db, plan.id) == (1, 1)
    actions = await db.exec(
        select(AuditEvent.action)
        .where(AuditEvent.entity_id == str(plan.id))
        .order_by(AuditEvent.id)
    )
    assert actions.all() == ["plan.visit.completed", "plan.visit.undone", "plan.visit.completed"]


async def test_undoing_a_visit_of_an_earlier_report_cycle_keeps_the_clock(plans_api, db, apps):
    plan = await _plan(db)
    appointment, headers = uuid.uuid4(), _service(apps)
    await plans_api.post(URL, json=_outcome(plan, appointment), headers=headers)
    report = {"goal_statuses": [{"goal_id": plan.goals[0]["id"], "status": "in_progress"}]}
    therapist = await headers_for(db, apps, "therapist")
    created = await plans_api.post(
        f"/v1/plans/{plan.id}/progress-reports", json=report, headers=therapist
    )
    assert created.status_code == 201
    await plans_api.post(URL, json=_outcome(plan, uuid.uuid4()), headers=headers)
    assert await _counts(db, plan.id) == (2, 1)

    undone = _outcome(plan, appointment, "undone", occurred_at=await _later(5))
    assert (await plans_api.post(URL, json=undone, headers=headers)).status_code == 200

    assert await _counts(db, plan.id) == (1, 1)  # the report already covered that visit


async def test_an_outcome_delivered_late_counts_nothing(plans_api, db, apps):
    plan = await _plan(db)
    appointment, headers = uuid.uuid4(), _service(apps)
    undone = _outcome(plan, appointment, "undone", occurred_at=await _later(5))
    completed = _outcome(plan, appointment)  # happened first, arrives second

    for body in (undone, completed):
        assert (await plans_api.post(URL, json=body, headers=headers)).status_code == 200

    assert await _counts(db, plan.id) == (0, 0)
    events = await db.exec(select(func.count()).where(VisitEvent.plan_id == plan.id))
    assert events.one() == 2


async def test_undoing_a_visit_never_completed_counts_nothing(plans_api, db, apps):
    plan = await _plan(db, completed_visits=2, visits_since_progress_report=2)
    body = _outcome(plan, uuid.uuid4(), "undone")
    assert (await plans_api.post(URL, json=body, headers=_service(apps))).status_code == 200
    assert await _counts(db, plan.id) == (2, 2)


async def test_unknown_draft_and_reused_event_ids_are_refused(plans_api, db, apps):
    plan, draft = await _plan(db), await _plan(db, status="draft")
    headers = _service(apps)
    unknown = _outcome(plan, uuid.uuid4(), plan_id=str(uuid.uuid4()))
    assert (await plans_api.post(URL, json=unknown, headers=headers)).status_code == 404
    on_draft = await plans_api.post(URL, json=_outcome(draft, uuid.uuid4()), headers=headers)
    assert on_draft.status_code == 409 and "draft" in on_draft.json()["detail"]
    first = _outcome(plan, uuid.uuid4())
    assert (await plans_api.post(URL, json=first, headers=headers)).status_code == 200

    reused = await plans_api.post(URL, json=first | {"outcome": "undone"}, headers=headers)

    assert reused.status_code == 422
    assert reused.json()["errors"][0]["loc"] == ["body", "event_id"]
    assert await _counts(db, plan.id) == (1, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_at": "2026-11-20T15:00:00"},  # no offset: when was that?
        {"outcome": "no_show"},
        {"visit_date": "2026-02-30"},
        {"event_id": "not-a-uuid"},
        {"note": "extra"},
    ],
)
async def test_bad_outcomes_are_refused(plans_api, db, apps, change):
    plan = await _plan(db)
    body = _outcome(plan, uuid.uuid4()) | change
    response = await plans_api.post(URL, json=body, headers=_service(apps))
    assert response.status_code == 422
    assert await _counts(db, plan.id) == (0, 0)


@pytest.mark.parametrize("role", ["patient", "front_desk", "therapist", "admin"])
async def test_user_tokens_are_refused(plans_api, db, apps, role):
    plan = await _plan(db)
    body = _outcome(plan, uuid.uuid4())
    response = await plans_api.post(URL, json=body, headers=await headers_for(db, apps, role))
    assert response.status_code == 403
    assert (await plans_api.post(URL, json=body)).status_code == 401
    assert await _counts(db, plan.id) == (0, 0)


async def test_only_scheduling_reports_visits(plans_api, db, apps):
    """Visits are scheduling's to report: another service's token (plans' own, the one the
    platform also issues) is refused and counts nothing."""
    plan = await _plan(db)
    body = _outcome(plan, uuid.uuid4())
    response = await plans_api.post(URL, json=body, headers=_service(apps, "plans"))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await _counts(db, plan.id) == (0, 0)


async def test_twenty_copies_at_once_count_once(committed_apis, committed_db, apps):
    plan = await _plan(committed_db)
    body, api, headers = _outcome(plan, uuid.uuid4()), committed_apis["plans"], _service(apps)

    answers = await asyncio.gather(*(api.post(URL, json=body, headers=headers) for _ in range(20)))

    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert await _counts(committed_db, plan.id) == (1, 1)
    audited = await committed_db.exec(
        select(func.count()).where(col(AuditEvent.entity_id) == str(plan.id))
    )
    assert audited.one() == 1


async def test_twenty_visits_at_once_count_twenty(committed_apis, committed_db, apps):
    plan = await _plan(committed_db)
    api, headers = committed_apis["plans"], _service(apps)

    answers = await asyncio.gather(
        *(api.post(URL, json=_outcome(plan, uuid.uuid4()), headers=headers) for _ in range(20))
    )

    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    assert await _counts(committed_db, plan.id) == (20, 20)


async def test_twenty_events_completing_one_visit_at_once_count_once(
    committed_apis, committed_db, apps
):
    plan = await _plan(committed_db)
    appointment, api, headers = uuid.uuid4(), committed_apis["plans"], _service(apps)

    answers = await asyncio.gather(
        *(api.post(URL, json=_outcome(plan, appointment), headers=headers) for _ in range(20))
    )

    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    assert await _counts(committed_db, plan.id) == (1, 1)
