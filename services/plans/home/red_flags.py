"""Red flags: a home log that meets one of the plan's red-flag criteria is flagged for the
therapist, one row per reason, in the same transaction as the log (a correction is checked
again). The criteria, from the plan's `red_flag_criteria` (content.RedFlagCriteria):

- `pain_high`: the log's pain is at least `pain_at_least`;
- `pain_rising`: pain rose strictly over the plan's last `pain_rising_logs` logs up to and
  including this one (by date);
- `new_numbness`: the log reports numbness and the plan's previous log did not (or there is
  no previous log).

A flag stays until a therapist acknowledges it (once: a second acknowledgement is 409). The
open ones (`acknowledged_at IS NULL`) make the therapists' flagged queue.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import Conflict, NotFound
from services.common.pagination import before, decode_cursor, page_of, parse_datetime
from services.plans.content import RedFlagCriteria
from services.plans.home.schemas import RedFlagRead
from services.plans.models import HomeSession, PlanOfCare, RedFlag

FLAG_NOT_FOUND = "No red flag with this id on this plan."
# When the plan's criteria give no advice of their own: what the patient is told.
DEFAULT_ADVICE = (
    "Please call the clinic today and tell your therapist about this log. If the pain is "
    "severe, or numbness spreads, seek medical care."
)


@dataclass(frozen=True, slots=True)
class Trip:
    """One criterion a log met, and why, in words for the therapist."""

    reason: str
    detail: str


def criteria_of(plan: PlanOfCare) -> RedFlagCriteria:
    return RedFlagCriteria.model_construct(**plan.red_flag_criteria)


def advice_for(plan: PlanOfCare) -> str:
    return criteria_of(plan).advice or DEFAULT_ADVICE


def logs_needed(criteria: RedFlagCriteria) -> int:
    """How many of the latest logs the criteria look at (this one and the one before it for
    numbness; the rising window for pain)."""
    return max(2, criteria.pain_rising_logs or 0)


def tripped(criteria: RedFlagCriteria, latest: Sequence[HomeSession]) -> list[Trip]:
    """What the newest log of `latest` (newest first) meets of the criteria."""
    found = {
        "pain_high": _pain_high(criteria.pain_at_least, latest[0]),
        "pain_rising": _pain_rising(criteria.pain_rising_logs, latest),
        "new_numbness": _new_numbness(latest) if criteria.new_numbness else None,
    }
    return [Trip(reason, detail) for reason, detail in found.items() if detail]


def _pain_high(at_least: int | None, log: HomeSession) -> str | None:
    if at_least is None or log.pain < at_least:
        return None
    return f"Pain {log.pain}/10 logged for {log.performed_on} (the plan flags {at_least} or more)."


def _pain_rising(window: int | None, latest: Sequence[HomeSession]) -> str | None:
    if not window or window < 2 or len(latest) < window:
        return None
    logs = list(reversed(latest[:window]))  # oldest first
    if not all(a.pain < b.pain for a, b in pairwise(logs)):
        return None
    pains = ", ".join(str(entry.pain) for entry in logs)
    return (
        f"Pain rose over the last {window} logs: {pains} "
        f"({logs[0].performed_on} to {logs[-1].performed_on})."
    )


def _new_numbness(latest: Sequence[HomeSession]) -> str | None:
    log = latest[0]
    if not log.numbness:
        return None
    if len(latest) < 2:
        return f"Numbness reported on {log.performed_on}, in the plan's first log."
    previous = latest[1]
    if previous.numbness:
        return None
    return f"Numbness reported on {log.performed_on}; the log of {previous.performed_on} had none."


async def check_log(session: AsyncSession, *, plan: PlanOfCare, log: HomeSession) -> list[str]:
    """Flag what the (flushed) log meets, each reason once per log however often the log is
    corrected; answer the reasons the log is flagged for now."""
    criteria = criteria_of(plan)
    latest = await _latest_logs(session, log=log, count=logs_needed(criteria))
    trips = tripped(criteria, latest)
    if trips:
        rows = [
            RedFlag(
                plan_id=plan.id, session_id=log.id, reason=t.reason, detail=t.detail
            ).model_dump()
            for t in trips
        ]
        statement = insert(RedFlag).values(rows).on_conflict_do_nothing()
        await session.exec(statement)  # type: ignore[call-overload]
    return (await reasons_by_session(session, [log.id])).get(log.id, [])


async def _latest_logs(session: AsyncSession, *, log: HomeSession, count: int) -> list[HomeSession]:
    """The plan's last `count` logs up to the log's day, newest first (the log included)."""
    statement = (
        select(HomeSession)
        .where(HomeSession.plan_id == log.plan_id, HomeSession.performed_on <= log.performed_on)
        .order_by(col(HomeSession.performed_on).desc())
        .limit(count)
    )
    return list((await session.exec(statement)).all())


async def reasons_by_session(
    session: AsyncSession, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """The reasons each of these logs was flagged for, acknowledged or not."""
    if not session_ids:
        return {}
    statement = (
        select(RedFlag.session_id, RedFlag.reason)
        .where(col(RedFlag.session_id).in_(session_ids))
        .order_by(RedFlag.reason)
    )
    found: dict[uuid.UUID, list[str]] = {}
    for session_id, reason in (await session.exec(statement)).all():
        found.setdefault(session_id, []).append(reason)
    return found


# -- the therapist's side --------------------------------------------------------------------


def flag_read(flag: RedFlag, plan: PlanOfCare) -> RedFlagRead:
    return RedFlagRead(
        **flag.model_dump(),
        session_url=f"/v1/plans/{plan.id}/sessions/{flag.session_id}",
        medical_options=list(criteria_of(plan).medical_options or []),
    )


async def list_flags(
    session: AsyncSession, *, plan: PlanOfCare, open_only: bool, limit: int, cursor: str | None
) -> tuple[list[RedFlag], str | None]:
    """The plan's flags, newest first; only those not yet acknowledged when open_only."""
    order = (RedFlag.raised_at, RedFlag.id)
    statement = select(RedFlag).where(RedFlag.plan_id == plan.id)
    if open_only:
        statement = statement.where(col(RedFlag.acknowledged_at).is_(None))
    if cursor:
        statement = statement.where(
            before(order, decode_cursor(cursor, [parse_datetime, uuid.UUID]))
        )
    statement = statement.order_by(*(col(c).desc() for c in order)).limit(limit + 1)
    rows = (await session.exec(statement)).all()
    return page_of(rows, limit, lambda f: (f.raised_at.isoformat(), f.id))


async def acknowledge(
    session: AsyncSession, *, plan: PlanOfCare, flag_id: uuid.UUID, note: str, caller: Caller
) -> RedFlag:
    """Mark the flag seen, once: one atomic UPDATE of an open flag, so of two therapists
    acknowledging at the same moment one wins and the other hears 409."""
    statement = (
        update(RedFlag)
        .where(
            col(RedFlag.id) == flag_id,
            col(RedFlag.plan_id) == plan.id,
            col(RedFlag.acknowledged_at).is_(None),
        )
        .values(acknowledged_by=caller.user_id, acknowledged_at=utcnow(), acknowledgement_note=note)
        .returning(RedFlag)
        .execution_options(populate_existing=True)
    )
    flag = (await session.exec(statement)).scalar_one_or_none()  # type: ignore[call-overload]
    if flag is not None:
        return flag
    existing = await session.get(RedFlag, flag_id)
    if existing is None or existing.plan_id != plan.id:
        raise NotFound(FLAG_NOT_FOUND)
    raise Conflict(
        f"This red flag was already acknowledged on {existing.acknowledged_at:%Y-%m-%d %H:%M} UTC.",
        acknowledged_by=str(existing.acknowledged_by),
    )
