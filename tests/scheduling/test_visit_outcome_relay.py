"""Visit outcomes reach the plans service through the outbox, with real commits: written in
the transaction that completes (or undoes) a plan's visit, relayed after, kept and retried
with a growing wait while plans is down, delivered once it is back, harmless when sent
twice. End to end: the 10th completed visit puts the plan in plans' progress-report queue,
also when plans was down when the visits were completed."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from services.common.columns import utcnow
from services.plans.models import PlanOfCare
from services.scheduling.appointments.outbox import relay_visit_outcomes
from services.scheduling.main import build_app as build_scheduling
from services.scheduling.models import VisitOutcomeOutbox
from tests.common.apps import own_settings
from tests.factories import bearer, make_account, token_for
from tests.plans.factories import make_plan
from tests.scheduling.booking import NOW, fix_clock, plan_facts, plans_answering, seeded_clinic

WEEKDAYS = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]  # days after Monday 7 December


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


async def _plan_visits(clinic, db, apps, plans, count: int = 1) -> tuple[PlanOfCare, list[str]]:
    """A signed plan of the clinic's patient and `count` booked visits of it, a day apart."""
    plan = await make_plan(db, patient_id=clinic.patient.id)
    plans.add(plan_facts(clinic.patient.id, plan_id=plan.id))
    ids = []
    for day in WEEKDAYS[:count]:
        start = (NOW + timedelta(days=day, hours=1)).isoformat()
        response = await clinic.book(plan_id=str(plan.id), start=start)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return plan, ids


async def _complete(clinic, monkeypatch, appointment_id: str, day: int = 0) -> None:
    fix_clock(monkeypatch, NOW + timedelta(days=day, hours=1, minutes=10))
    for move in ("check-in", "complete"):
        url = f"/v1/appointments/{appointment_id}/{move}"
        response = await clinic.api.post(url, headers=clinic.desk)
        assert response.status_code == 200, response.text


async def _outbox(db, appointment_id: str) -> list[VisitOutcomeOutbox]:
    statement = (
        select(VisitOutcomeOutbox)
        .where(col(VisitOutcomeOutbox.appointment_id) == uuid.UUID(appointment_id))
        .order_by(col(VisitOutcomeOutbox.created_at))
        .execution_options(populate_existing=True)
    )
    return list((await db.exec(statement)).all())


async def _counts(db, plan: PlanOfCare) -> tuple[int, int]:
    await db.refresh(plan)
    return plan.completed_visits, plan.visits_since_progress_report


async def test_a_completed_visit_of_a_plan_counts_on_the_plan(
    committed_apis, committed_db, apps, monkeypatch
):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    with plans_answering(apps) as plans:
        plan, (visit,) = await _plan_visits(clinic, committed_db, apps, plans)
        await _complete(clinic, monkeypatch, visit)
        (queued,) = await _outbox(committed_db, visit)
        assert (queued.outcome, queued.sent_at, str(queued.visit_date)) == (
            "completed",
            None,
            "2026-12-07",
        )
        await relay_visit_outcomes(apps["scheduling"])
    (sent,) = await _outbox(committed_db, visit)
    assert sent.sent_at is not None and sent.attempts == 1
    assert await _counts(committed_db, plan) == (1, 1)


async def test_outcomes_wait_while_plans_is_down_and_go_when_it_is_back(
    committed_apis, committed_db, apps, monkeypatch
):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    with plans_answering(apps) as plans:
        plan, (visit,) = await _plan_visits(clinic, committed_db, apps, plans)
        plans.down = True
        await _complete(clinic, monkeypatch, visit)  # scheduling does not need plans for it
        await relay_visit_outcomes(apps["scheduling"])
        (waiting,) = await _outbox(committed_db, visit)
        assert (waiting.sent_at, waiting.attempts) == (None, 1)
        assert "plans" in waiting.last_error and waiting.next_attempt_at > utcnow()
        await relay_visit_outcomes(apps["scheduling"])  # not due yet: left alone
        assert (await _outbox(committed_db, visit))[0].attempts == 1
        assert await _counts(committed_db, plan) == (0, 0)

        plans.down = False
        later = utcnow() + timedelta(minutes=5)
        await relay_visit_outcomes(apps["scheduling"], now=later)
    (sent,) = await _outbox(committed_db, visit)
    assert (sent.attempts, sent.last_error) == (2, None) and sent.sent_at is not None
    assert await _counts(committed_db, plan) == (1, 1)


async def test_an_outcome_sent_twice_counts_once(committed_apis, committed_db, apps, monkeypatch):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    with plans_answering(apps) as plans:
        plan, (visit,) = await _plan_visits(clinic, committed_db, apps, plans)
        await _complete(clinic, monkeypatch, visit)
        await relay_visit_outcomes(apps["scheduling"])
        # A relay that posted but died before marking the row sent: it goes again.
        table = VisitOutcomeOutbox
        await committed_db.exec(
            update(table)
            .where(col(table.appointment_id) == uuid.UUID(visit))
            .values(sent_at=None, next_attempt_at=utcnow())
        )
        await committed_db.commit()
        await relay_visit_outcomes(apps["scheduling"])
    (sent,) = await _outbox(committed_db, visit)
    assert sent.sent_at is not None and sent.attempts == 2
    assert await _counts(committed_db, plan) == (1, 1)


async def test_an_undone_completion_is_taken_off_the_plan(
    committed_apis, committed_db, apps, monkeypatch
):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    with plans_answering(apps) as plans:
        plan, (visit,) = await _plan_visits(clinic, committed_db, apps, plans)
        await _complete(clinic, monkeypatch, visit)
        await relay_visit_outcomes(apps["scheduling"])
        assert await _counts(committed_db, plan) == (1, 1)
        fix_clock(monkeypatch, NOW + timedelta(hours=2))
        url = f"/v1/appointments/{visit}/undo-completion"
        assert (await clinic.api.post(url, headers=clinic.desk)).status_code == 200
        await relay_visit_outcomes(apps["scheduling"])
    assert [e.outcome for e in await _outbox(committed_db, visit)] == ["completed", "undone"]
    assert await _counts(committed_db, plan) == (0, 0)


async def test_the_tenth_visit_puts_the_plan_in_the_progress_report_queue(
    committed_apis, committed_db, apps, monkeypatch
):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    with plans_answering(apps) as plans:
        plan, visits = await _plan_visits(clinic, committed_db, apps, plans, count=10)
        plans.down = True  # down while every visit is completed, and at the first relay
        for day, visit in zip(WEEKDAYS, visits, strict=False):
            await _complete(clinic, monkeypatch, visit, day=day)
        await relay_visit_outcomes(apps["scheduling"])
        plans.down = False
        await relay_visit_outcomes(apps["scheduling"], now=utcnow() + timedelta(minutes=5))
    assert await _counts(committed_db, plan) == (10, 10)
    therapist = await make_account(committed_db, role="therapist")
    params = {"due": "progress-report", "patient_id": str(clinic.patient.id)}
    queue = await committed_apis["plans"].get(
        "/v1/plans", params=params, headers=bearer(token_for(apps, therapist))
    )
    assert queue.status_code == 200, queue.text
    assert [item["id"] for item in queue.json()["items"]] == [str(plan.id)]


async def test_the_app_relays_in_the_background(committed_apis, committed_db, apps, monkeypatch):
    clinic = await seeded_clinic(committed_apis["scheduling"], apps, committed_db)
    suite = apps["patients"].state.settings
    settings = own_settings("scheduling", suite).model_copy(
        update={"visit_outcome_relay_seconds": 0.05}
    )
    relaying = build_scheduling(settings, http_transport=apps["scheduling"].state.http._transport)
    with plans_answering(apps) as plans:
        plan, (visit,) = await _plan_visits(clinic, committed_db, apps, plans)
        async with relaying.router.lifespan_context(relaying):
            await _complete(clinic, monkeypatch, visit)
            for _ in range(100):
                if (await _outbox(committed_db, visit))[0].sent_at is not None:
                    break
                await asyncio.sleep(0.05)
    assert (await _outbox(committed_db, visit))[0].sent_at is not None
    assert await _counts(committed_db, plan) == (1, 1)


async def test_the_relay_prunes_outcomes_sent_long_ago(committed_db, apps):
    """Sent rows are kept `CLINIC_VISIT_OUTCOME_KEEP_DAYS` (30) for an operator to look back
    on, then the relay deletes them; rows not yet sent are never pruned, however old."""
    now = utcnow()

    def outcome(*, sent_days_ago: int | None, created_days_ago: int = 40) -> VisitOutcomeOutbox:
        sent_at = None if sent_days_ago is None else now - timedelta(days=sent_days_ago)
        return VisitOutcomeOutbox(
            plan_id=uuid.uuid4(),
            appointment_id=uuid.uuid4(),
            outcome="completed",
            occurred_at=now - timedelta(days=created_days_ago),
            visit_date=(now - timedelta(days=created_days_ago)).date(),
            created_at=now - timedelta(days=created_days_ago),
            next_attempt_at=now + timedelta(hours=1),  # unsent: not due in this round
            sent_at=sent_at,
        )

    old, recent, unsent = (
        outcome(sent_days_ago=31),
        outcome(sent_days_ago=29),
        outcome(sent_days_ago=None),
    )
    committed_db.add_all([old, recent, unsent])
    await committed_db.commit()

    round_ = await relay_visit_outcomes(apps["scheduling"], now=now)

    kept = {
        row.event_id
        for row in (
            await committed_db.exec(
                select(VisitOutcomeOutbox).where(
                    col(VisitOutcomeOutbox.event_id).in_(
                        [old.event_id, recent.event_id, unsent.event_id]
                    )
                )
            )
        ).all()
    }
    assert kept == {recent.event_id, unsent.event_id}
    assert round_.pruned >= 1
