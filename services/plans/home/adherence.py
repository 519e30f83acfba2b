"""Adherence to the home program, and the pain the logs report.

The rules, as the API documents them:
- **Weeks are plan weeks**: week 1 is the plan's start date and the six days after it, so a
  plan started on a Wednesday has a whole first week (ISO weeks would cut it short).
- **The target** is the home program's days per week: the most days a week any exercise of
  the home part asks for (a 5-days-a-week exercise and an every-day stretch: 7). A home
  exercise whose dosage names no days counts as every day; without a home part, no target.
- **A week only partly inside the range** (the current week, or a range cut by `from`/`to`)
  is asked for its share of the target, rounded half up: 5 a week over 3 days is 2.
- **Percent** is sessions of the target, a week's sessions counted up to its target (extra
  sessions one week do not make up for a missed one); overall, the same summed over weeks.
- **The range** runs from the plan's start (or `from`, if later) to today in the clinic's time
  zone (or `to`, if earlier). A completed or discontinued plan ends at its planned last day,
  or its last log if later.
- **The pain trend** is the least-squares slope of pain against time, in points per week:
  -0.5 or less is improving, +0.5 or more worsening, between them steady; with fewer than
  two logs there is no trend.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import InvalidInput
from services.plans.home.schemas import (
    AdherenceRead,
    AdherenceTotal,
    AdherenceWeek,
    PainPoint,
    PainSeries,
    PainTrend,
)
from services.plans.models import HomeSession, PlanOfCare

STEADY_BAND = 0.5  # pain points a week: a smaller slope either way is "steady"
EVERY_DAY = 7
CLOSED = ("completed", "discontinued")


@dataclass(frozen=True, slots=True)
class Span:
    """The days adherence is read over, both ends included."""

    first: date
    last: date


def target_days_per_week(program: Sequence[dict[str, Any]]) -> int | None:
    home = [item for item in program if item.get("part") == "home"]
    if not home:
        return None
    return max((item.get("dosage") or {}).get("days_per_week") or EVERY_DAY for item in home)


def span_of(
    plan: PlanOfCare,
    *,
    today: date,
    last_log: date | None,
    asked_from: date | None,
    asked_to: date | None,
) -> Span:
    """The range to read, from what was asked and what the plan allows (see the module)."""
    if asked_from and asked_to and asked_from > asked_to:
        raise InvalidInput("`from` is after `to`.", field="query.from")
    last = today
    if plan.status in CLOSED:
        planned_end = plan.start_date + timedelta(weeks=plan.duration_weeks, days=-1)
        last = min(today, max(planned_end, last_log or planned_end))
    first = max(plan.start_date, asked_from or plan.start_date)
    return Span(first, min(last, asked_to or last))


def week_target(days_per_week: int, days: int) -> int:
    """The share of a week's target that `days` of it ask for, rounded half up."""
    return (2 * days_per_week * days + EVERY_DAY) // (2 * EVERY_DAY)


def percent(sessions: int, target: int) -> float | None:
    return round(100 * min(sessions, target) / target, 1) if target else None


def weeks_of(
    span: Span, *, start: date, days_per_week: int | None, logged: Sequence[date]
) -> list[AdherenceWeek]:
    """Each plan week the span touches, with the sessions logged in it."""
    if span.first > span.last:
        return []
    per_week = Counter(_week_number(start, day) for day in logged)
    numbers = range(_week_number(start, span.first), _week_number(start, span.last) + 1)
    return [
        _week(n, span, start=start, days_per_week=days_per_week, sessions=per_week[n])
        for n in numbers
    ]


def _week_number(start: date, day: date) -> int:
    return (day - start).days // EVERY_DAY + 1


def _week(
    number: int, span: Span, *, start: date, days_per_week: int | None, sessions: int
) -> AdherenceWeek:
    starts_on = start + timedelta(weeks=number - 1)
    ends_on = starts_on + timedelta(days=EVERY_DAY - 1)
    days = (min(ends_on, span.last) - max(starts_on, span.first)).days + 1
    target = week_target(days_per_week, days) if days_per_week else 0
    return AdherenceWeek(
        week=number,
        starts_on=starts_on,
        ends_on=ends_on,
        days=days,
        target=target,
        sessions=sessions,
        percent=percent(sessions, target),
    )


def overall(weeks: Sequence[AdherenceWeek]) -> AdherenceTotal:
    target = sum(w.target for w in weeks)
    counted = sum(min(w.sessions, w.target) for w in weeks)
    return AdherenceTotal(
        sessions=sum(w.sessions for w in weeks), target=target, percent=percent(counted, target)
    )


def pain_trend(points: Sequence[PainPoint]) -> PainSeries:
    """Least-squares slope of pain over weeks, and the word for it."""
    if len(points) < 2:
        return PainSeries(series=list(points), slope_per_week=None, trend=None)
    xs = [(p.date - points[0].date).days / EVERY_DAY for p in points]
    ys = [p.pain for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return PainSeries(series=list(points), slope_per_week=round(slope, 2), trend=_word(slope))


def _word(slope: float) -> PainTrend:
    if slope <= -STEADY_BAND:
        return "improving"
    return "worsening" if slope >= STEADY_BAND else "steady"


async def adherence(
    session: AsyncSession,
    *,
    plan: PlanOfCare,
    today: date,
    asked_from: date | None,
    asked_to: date | None,
) -> AdherenceRead:
    last_log = await _last_log(session, plan)
    span = span_of(plan, today=today, last_log=last_log, asked_from=asked_from, asked_to=asked_to)
    points = await _pain_points(session, plan, span)
    days_per_week = target_days_per_week(plan.program)
    weeks = weeks_of(
        span, start=plan.start_date, days_per_week=days_per_week, logged=[p.date for p in points]
    )
    return AdherenceRead(
        plan_id=plan.id,
        from_date=span.first,
        to_date=span.last,
        target_days_per_week=days_per_week,
        weeks=weeks,
        overall=overall(weeks),
        pain=pain_trend(points),
    )


async def _last_log(session: AsyncSession, plan: PlanOfCare) -> date | None:
    statement = select(func.max(HomeSession.performed_on)).where(HomeSession.plan_id == plan.id)
    return (await session.exec(statement)).one()


async def _pain_points(session: AsyncSession, plan: PlanOfCare, span: Span) -> list[PainPoint]:
    statement = (
        select(HomeSession.performed_on, HomeSession.pain)
        .where(
            HomeSession.plan_id == plan.id,
            col(HomeSession.performed_on).between(span.first, span.last),
        )
        .order_by(col(HomeSession.performed_on))
    )
    return [PainPoint(date=day, pain=pain) for day, pain in (await session.exec(statement)).all()]
