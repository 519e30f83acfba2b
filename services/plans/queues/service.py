"""The therapist queues over `GET /v1/plans`: plans whose certification ends soon, whose
progress report is due, whose insurance authorization runs out, or with a red flag nobody
has acknowledged. "Today" is the clinic's (each plan keeps its clinic's time zone).
Functions flush; the request's session commits. Every listing is audited."""

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Row, cast, exists, func, literal, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.pagination import after, decode_cursor, page_of
from services.plans import audit
from services.plans.models import LIVE_STATUSES, PROGRESS_REPORT_VISITS, PlanOfCare, RedFlag
from services.plans.queues.schemas import PlanQueue, PlanSummary

AUTHORIZATION_VISITS_LEFT = 2  # due when this many authorized visits or fewer are left
AUTHORIZATION_DAYS_LEFT = 7  # or when the authorization ends within this many days
_COMPUTED = {"authorization_visits_left", "open_red_flags", "due_reason"}
SUMMARY_COLUMNS = [
    getattr(PlanOfCare, name) for name in PlanSummary.model_fields if name not in _COMPUTED
]


def _inline(value: Any) -> Any:
    """A constant written into the SQL rather than bound, so the planner can match the
    queues' partial indexes (models.py), whose predicates hold the same constants."""
    return literal(value, literal_execute=True)


def _live() -> ColumnElement[bool]:
    return col(PlanOfCare.status).in_([_inline(s) for s in LIVE_STATUSES])


def _clinic_today() -> ColumnElement[date]:
    return cast(func.timezone(col(PlanOfCare.time_zone), func.now()), Date)


def _open_red_flag() -> ColumnElement[bool]:
    return exists().where(
        col(RedFlag.plan_id) == col(PlanOfCare.id), col(RedFlag.acknowledged_at).is_(None)
    )


def _open_red_flags() -> Any:
    return (
        select(func.count())
        .where(col(RedFlag.plan_id) == col(PlanOfCare.id), col(RedFlag.acknowledged_at).is_(None))
        .scalar_subquery()
    )


def _recertification_due(queue: PlanQueue) -> list[ColumnElement[bool]]:
    """Live plans whose certification ends within `within_days` (or has ended)."""
    end = col(PlanOfCare.certification_end)
    # No clinic is a day ahead of UTC: this bound lets the index narrow the scan, the next
    # condition is exact for each clinic.
    bound = datetime.now(UTC).date() + timedelta(days=queue.within_days + 1)
    return [_live(), end <= bound, end <= _clinic_today() + queue.within_days]


def _progress_report_due(queue: PlanQueue) -> list[ColumnElement[bool]]:
    since = col(PlanOfCare.visits_since_progress_report)
    return [_live(), since >= _inline(PROGRESS_REPORT_VISITS)]


def _authorization_due(queue: PlanQueue) -> list[ColumnElement[bool]]:
    """Live plans with few authorized visits left, counting completed visits, or whose
    authorization ends within a week (or has ended)."""
    left = col(PlanOfCare.authorization_visits) - col(PlanOfCare.completed_visits)
    ending = col(PlanOfCare.authorization_valid_until) <= _clinic_today() + AUTHORIZATION_DAYS_LEFT
    return [_live(), or_(left <= AUTHORIZATION_VISITS_LEFT, ending)]


DUE: dict[str, Callable[[PlanQueue], list[ColumnElement[bool]]]] = {
    "recertification": _recertification_due,
    "progress-report": _progress_report_due,
    "authorization": _authorization_due,
}


def _conditions(queue: PlanQueue) -> list[ColumnElement[bool]]:
    filters = (
        (PlanOfCare.patient_id, queue.patient_id),
        (PlanOfCare.therapist_id, queue.therapist_id),
        (PlanOfCare.location, queue.location),
        (PlanOfCare.status, queue.status),
    )
    found = [col(column) == value for column, value in filters if value is not None]
    if queue.due is not None:
        found += DUE[queue.due](queue)
    if queue.flagged is not None:
        found.append(_open_red_flag() if queue.flagged else ~_open_red_flag())
    return found


def _sort_key(queue: PlanQueue) -> tuple[list[Any], list[Callable[[str], Any]]]:
    """The order of the list (stable: the id breaks ties) and how to read its cursor."""
    if queue.due == "recertification":
        return [col(PlanOfCare.certification_end), col(PlanOfCare.id)], [
            date.fromisoformat,
            uuid.UUID,
        ]
    return [col(PlanOfCare.id)], [uuid.UUID]


async def list_plans(
    session: AsyncSession,
    *,
    queue: PlanQueue,
    limit: int,
    cursor: str | None,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[list[PlanSummary], str | None]:
    order, types = _sort_key(queue)
    today = _clinic_today().label("clinic_today")
    statement = select(*SUMMARY_COLUMNS, _open_red_flags().label("open_red_flags"), today)
    statement = statement.where(*_conditions(queue))
    if cursor:
        statement = statement.where(after(order, decode_cursor(cursor, types)))
    rows = (await session.exec(statement.order_by(*order).limit(limit + 1))).all()
    page, next_cursor = page_of(rows, limit, lambda row: [row._mapping[c.key] for c in order])
    await audit.record(
        session,
        action="plan.list",
        caller=caller,
        origin=origin,
        patient_id=queue.patient_id,
        detail={"filters": _filters_in_words(queue), "count": len(page)},
    )
    return [_summary(row, queue) for row in page], next_cursor


def _filters_in_words(queue: PlanQueue) -> dict[str, Any]:
    sent = {
        "patient_id": queue.patient_id,
        "therapist_id": queue.therapist_id,
        "location": queue.location,
        "status": queue.status,
        "due": queue.due,
        "within_days": queue.within_days if queue.due == "recertification" else None,
        "flagged": queue.flagged,
    }
    return {
        name: str(v) if isinstance(v, uuid.UUID) else v for name, v in sent.items() if v is not None
    }


def _summary(row: Row[Any], queue: PlanQueue) -> PlanSummary:
    values = dict(row._mapping)
    today = values.pop("clinic_today")
    authorized = values["authorization_visits"]
    left = authorized - values["completed_visits"] if authorized is not None else None
    summary = PlanSummary(**values, authorization_visits_left=left)
    if queue.due is not None:
        summary.due_reason = REASONS[queue.due](summary, today)
    return summary


def _days_from(day: date, today: date) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    amount = f"{abs(days)} day{'s' if abs(days) != 1 else ''}"
    return f"in {amount}" if days > 0 else f"{amount} ago"


def _recertification_reason(plan: PlanSummary, today: date) -> str:
    end = plan.certification_end
    verb = "ended" if end < today else "ends"
    return f"The certification {verb} on {end.isoformat()} ({_days_from(end, today)})."


def _progress_report_reason(plan: PlanSummary, today: date) -> str:
    since = "the last progress report" if plan.progress_reports else "the plan began"
    return f"{plan.visits_since_progress_report} visits completed since {since}."


def _authorization_reason(plan: PlanSummary, today: date) -> str:
    reasons = []
    left = plan.authorization_visits_left
    if left is not None and left <= AUTHORIZATION_VISITS_LEFT:
        reasons.append(f"{max(left, 0)} of {plan.authorization_visits} authorized visits left.")
    until = plan.authorization_valid_until
    if until is not None and (until - today).days <= AUTHORIZATION_DAYS_LEFT:
        verb = "ended" if until < today else "ends"
        reasons.append(
            f"The authorization {verb} on {until.isoformat()} ({_days_from(until, today)})."
        )
    return " ".join(reasons)


REASONS: dict[str, Callable[[PlanSummary, date], str]] = {
    "recertification": _recertification_reason,
    "progress-report": _progress_report_reason,
    "authorization": _authorization_reason,
}
