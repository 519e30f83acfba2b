"""The visit clock: each plan's completed visits and the visits since its last progress
report, kept from the outcomes scheduling reports (services only).

Scheduling relays each outcome with retries, so the same event may come more than once, even
many copies at the same moment. The plan's row is locked first, which puts every outcome of
a plan in a line; the event is then claimed with `INSERT ... ON CONFLICT DO NOTHING`: a copy
finds it taken, changes nothing and answers what the first answered. Per appointment,
`plan_visit` remembers whether the visit counts as completed, so a completion is counted once
whatever the event ids, and in which cycle (between two progress reports) it was counted, so
undoing it takes it off the visits since the last report only if no report came between.
An outcome that happened before the one the visit holds arrived late: it counts nothing."""

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import Conflict, InvalidInput
from services.common.lookup import one_or_404
from services.plans import audit
from services.plans.models import PlanOfCare, PlanVisit, VisitEvent
from services.plans.progress.schemas import VisitOutcomeCreate

PLAN_NOT_FOUND = "No plan of care with this id."
EVENT_REUSED = "This event id was already reported with another plan, appointment or outcome."


async def record_visit_outcome(
    session: AsyncSession, *, data: VisitOutcomeCreate, caller: Caller, origin: audit.Origin
) -> VisitEvent:
    """Count the outcome once; answer the event as first recorded."""
    plan = await one_or_404(
        session, PlanOfCare, data.plan_id, detail=PLAN_NOT_FOUND, for_update=True
    )
    if plan.status == "draft":
        raise Conflict("The plan is a draft: it counts visits once it is signed.")
    event = await _claim_event(session, data)
    if event is None:
        return await _earlier_event(session, data)
    counted = await _apply(session, plan, data)
    await audit.record(
        session,
        action=f"plan.visit.{data.outcome}",
        caller=caller,
        origin=origin,
        patient_id=plan.patient_id,
        entity=("plan", plan.id),
        detail={
            "event_id": str(data.event_id),
            "appointment_id": str(data.appointment_id),
            "counted": counted,
        },
    )
    return event


async def _claim_event(session: AsyncSession, data: VisitOutcomeCreate) -> VisitEvent | None:
    """The new event's row; None when the event id is already taken."""
    statement = (
        insert(VisitEvent)
        .values(
            event_id=data.event_id,
            plan_id=data.plan_id,
            appointment_id=data.appointment_id,
            outcome=data.outcome,
            occurred_at=data.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(VisitEvent)
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    event: VisitEvent | None = result.scalar_one_or_none()
    return event


async def _earlier_event(session: AsyncSession, data: VisitOutcomeCreate) -> VisitEvent:
    earlier = await session.get(VisitEvent, data.event_id)
    assert earlier is not None  # the insert found it; rows are never deleted
    same = (earlier.plan_id, earlier.appointment_id, earlier.outcome) == (
        data.plan_id,
        data.appointment_id,
        data.outcome,
    )
    if not same:
        raise InvalidInput(EVENT_REUSED, field="body.event_id")
    return earlier


async def _apply(session: AsyncSession, plan: PlanOfCare, data: VisitOutcomeCreate) -> bool:
    """Set the visit's outcome and the plan's counts; whether the counts changed."""
    visit = await session.get(PlanVisit, data.appointment_id, with_for_update=True)
    if visit is not None and visit.plan_id != plan.id:
        raise Conflict("This appointment's visit counts on another plan.")
    if visit is not None and visit.outcome_at is not None and data.occurred_at < visit.outcome_at:
        return False  # delivered late: a later outcome of this visit is already in
    if visit is None:
        visit = PlanVisit(appointment_id=data.appointment_id, plan_id=plan.id, completed=False)
        session.add(visit)
    completing = data.outcome == "completed"
    was_counted, in_this_cycle = visit.completed, visit.cycle == plan.progress_reports
    visit.outcome_at, visit.visit_date, visit.updated_at = (
        data.occurred_at,
        data.visit_date,
        utcnow(),
    )
    if completing == was_counted:
        return False  # completed again, or undone when it did not count
    visit.completed = completing
    if completing:
        visit.cycle = plan.progress_reports
        await _count(session, plan_id=plan.id, completed=1, since_report=1)
    else:
        await _count(
            session, plan_id=plan.id, completed=-1, since_report=-1 if in_this_cycle else 0
        )
    return True


async def _count(
    session: AsyncSession, *, plan_id: uuid.UUID, completed: int, since_report: int
) -> None:
    """Move the plan's counts in one UPDATE. The version moves too: the plan reads
    differently now, so its ETag must change."""
    table: Any = PlanOfCare
    statement = (
        update(table)
        .where(col(table.id) == plan_id)
        .values(
            completed_visits=table.completed_visits + completed,
            visits_since_progress_report=table.visits_since_progress_report + since_report,
            version=table.version + 1,
            updated_at=utcnow(),
        )
    )
    await session.exec(statement)  # type: ignore[call-overload]
