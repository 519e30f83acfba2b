"""Progress reports: where each goal stands and a note, numbered per plan. Writing one
restarts the plan's visit clock and sets the goals' statuses, a change to the signed plan
that makes its next revision (kind `progress_report`) in the same transaction. Therapists
and admins write and read them; a patient hears 404 for another's plan and 403 for their
own, like an id that is not there and a route that is not theirs. Functions flush; the
request commits."""

import uuid
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.pagination import before, decode_cursor, page_of
from services.plans import audit
from services.plans.changes import apply_change
from services.plans.models import LIVE_STATUSES, PlanOfCare, ProgressReport
from services.plans.progress.schemas import GoalStatusIn, ProgressReportCreate
from services.plans.visibility import PlanAccess

REPORT_NOT_FOUND = "No progress report with this id on this plan."
GOAL_NOT_FOUND = "This plan has no goal with this id."
REPORTS_ARE_FOR_CLINICIANS = "Progress reports are written and read by therapists and admins."
# The route lets patients through to be told apart: another's plan is 404, their own 403.
REPORTS = PlanAccess(
    roles=("therapist", "admin"),
    forbidden=REPORTS_ARE_FOR_CLINICIANS,
    patients_elsewhere=REPORTS_ARE_FOR_CLINICIANS,
)


def _goals_with_statuses(
    goals: list[dict[str, Any]], statuses: list[GoalStatusIn]
) -> list[dict[str, Any]]:
    """The plan's goals with the reported statuses set; 422 naming a goal it does not have."""
    new_status = {str(s.goal_id): s.status for s in statuses}
    known = {str(goal.get("id")) for goal in goals}
    for index, reported in enumerate(statuses):
        if str(reported.goal_id) not in known:
            where = ["body", "goal_statuses", index, "goal_id"]  # the index as pydantic gives it
            raise InvalidInput(
                f"goal_statuses.{index}.goal_id: {GOAL_NOT_FOUND}",
                errors=[{"loc": where, "msg": GOAL_NOT_FOUND, "type": "value_error"}],
            )
    return [
        goal | {"status": new_status[str(goal.get("id"))]}
        if str(goal.get("id")) in new_status
        else goal
        for goal in goals
    ]


async def _restart_visit_clock(
    session: AsyncSession, *, plan: PlanOfCare, goals: list[dict[str, Any]], caller: Caller
) -> PlanOfCare:
    """The report count up, the visits since the last report back to 0 and the goals'
    statuses set, as the plan's next revision (one version-checked UPDATE)."""
    number = plan.progress_reports + 1  # the row is locked: no other report comes between
    values = {
        "progress_reports": number,
        "visits_since_progress_report": 0,
        "last_progress_report_at": utcnow(),
        "goals": goals,
    }
    return await apply_change(
        session,
        plan=plan,
        values=values,
        expected=None,
        caller=caller,
        kind="progress_report",
        summary=f"Progress report {number}",
    )


async def record_progress_report(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    data: ProgressReportCreate,
    caller: Caller,
    origin: audit.Origin,
) -> ProgressReport:
    """Write the next report of an active or on-hold plan. The plan's row stays locked until
    the request commits, so concurrent reports take the numbers one after the other, and the
    visits a report covers are exactly those the clock held."""
    action = "plan.progress_report.create"
    plan = await REPORTS.plan(
        session, plan_id=plan_id, caller=caller, origin=origin, action=action, for_update=True
    )
    if plan.status not in LIVE_STATUSES:
        raise Conflict(
            f"The plan is {plan.status}: progress reports are recorded on active or "
            "on-hold plans only."
        )
    goals = _goals_with_statuses(plan.goals, data.goal_statuses)
    covered, completed = plan.visits_since_progress_report, plan.completed_visits
    restarted = await _restart_visit_clock(session, plan=plan, goals=goals, caller=caller)
    report = ProgressReport(
        plan_id=plan_id,
        number=restarted.progress_reports,
        goal_statuses=[s.model_dump(mode="json") for s in data.goal_statuses],
        note=data.note,
        visits_covered=covered,
        completed_visits=completed,
        created_by=caller.user_id,
    )
    session.add(report)
    await session.flush()
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        entity=("progress_report", report.id),
        detail={"plan_id": str(plan_id), "number": report.number, "visits_covered": covered},
    )
    return report


async def list_progress_reports(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    caller: Caller,
    origin: audit.Origin,
    limit: int,
    cursor: str | None,
) -> tuple[list[ProgressReport], str | None]:
    """A plan's progress reports, newest first."""
    action = "plan.progress_report.list"
    plan = await REPORTS.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=action)
    number = col(ProgressReport.number)
    statement = select(ProgressReport).where(ProgressReport.plan_id == plan_id)
    if cursor:
        statement = statement.where(before([number], decode_cursor(cursor, [int])))
    rows = (await session.exec(statement.order_by(number.desc()).limit(limit + 1))).all()
    await audit.record_on_plan(session, plan, action=action, caller=caller, origin=origin)
    return page_of(rows, limit, lambda report: (report.number,))


async def read_progress_report(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    report_id: uuid.UUID,
    caller: Caller,
    origin: audit.Origin,
) -> ProgressReport:
    action = "plan.progress_report.read"
    plan = await REPORTS.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=action)
    report = await session.get(ProgressReport, report_id)
    if report is None or report.plan_id != plan_id:
        raise NotFound(REPORT_NOT_FOUND)
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        entity=("progress_report", report_id),
    )
    return report
