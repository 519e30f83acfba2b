"""Home sessions: the patient logs a day's exercises and pain on an active plan (one log a
day per plan), corrects it the same day, and patient and therapists read the logs, the red
flags they raised and adherence. Functions flush; the request's session commits. Every read
and change is audited, refusals included.

"Today" is the clinic's: the date in the plan's time zone, so a log written at 11 pm in
Maryland is for that Maryland day whatever the server's clock says.
"""

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.pagination import before, decode_cursor, page_of
from services.common.preconditions import IfMatch, update_if_version
from services.plans import audit
from services.plans.home import adherence, red_flags
from services.plans.home.access import FLAGS, LOGGING, READING
from services.plans.home.schemas import (
    AdherenceRead,
    ExerciseDoneIn,
    ExercisesDone,
    HomeSessionCreate,
    HomeSessionRead,
    HomeSessionUpdate,
    RedFlagRead,
)
from services.plans.models import HomeSession, PlanOfCare

logger = logging.getLogger("clinic.plans.home")
SESSION_NOT_FOUND = "No home session with this id on this plan."
NOT_LOGGABLE = {
    "draft": "This plan is still a draft: home sessions can be logged once it is signed.",
    "on_hold": "This plan is on hold: no home sessions are logged until your therapist resumes it.",
    "completed": "This plan is completed: it takes no more home sessions.",
    "discontinued": "This plan was discontinued: it takes no more home sessions.",
}


def clinic_today(plan: PlanOfCare) -> date:
    try:
        zone: Any = ZoneInfo(plan.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("plan %s has an unknown time zone %r; using UTC", plan.id, plan.time_zone)
        zone = UTC
    return datetime.now(zone).date()


def session_url(entry: HomeSession) -> str:
    return f"/v1/plans/{entry.plan_id}/sessions/{entry.id}"


def session_read(entry: HomeSession, plan: PlanOfCare, reasons: Sequence[str]) -> HomeSessionRead:
    return HomeSessionRead(
        **entry.model_dump(exclude={"exercises"}),
        exercises=entry.exercises,  # type: ignore[arg-type]
        red_flags=list(reasons),
        advice=red_flags.advice_for(plan) if reasons else None,
    )


# -- logging and correcting -------------------------------------------------------------------


def _exercises_done(plan: PlanOfCare, exercises: ExercisesDone) -> list[dict[str, Any]]:
    """The exercises as stored ({slug, sets, reps}); 422 naming `exercises[i]` for one that
    is not in the plan's program, or named twice."""
    in_program = {item.get("slug") for item in plan.program}
    done: list[dict[str, Any]] = []
    for index, entry in enumerate(exercises):
        given = entry if isinstance(entry, ExerciseDoneIn) else ExerciseDoneIn(slug=entry)
        problem = None
        if given.slug not in in_program:
            problem = f"{given.slug!r} is not an exercise of this plan's program."
        elif any(d["slug"] == given.slug for d in done):
            problem = f"{given.slug!r} is named twice."
        if problem:
            raise _bad_exercise(index, problem)
        done.append(given.model_dump())
    return done


def _bad_exercise(index: int, problem: str) -> InvalidInput:
    return InvalidInput(
        f"exercises[{index}]: {problem}",
        errors=[{"loc": ["body", "exercises", index], "msg": problem, "type": "value_error"}],
    )


def _check_day(plan: PlanOfCare, performed_on: date) -> None:
    if performed_on > clinic_today(plan):
        raise InvalidInput(
            "performed_on is in the future (in the clinic's time zone).",
            field="body.performed_on",
        )
    if performed_on < plan.start_date:
        raise InvalidInput(
            f"performed_on is before the plan started ({plan.start_date}).",
            field="body.performed_on",
        )


async def log_session(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    data: HomeSessionCreate,
    caller: Caller,
    origin: audit.Origin,
) -> HomeSessionRead:
    """Write the day's log, flag what it trips, or 409 pointing at the day's first log. The
    plan is locked for the transaction: logs of one plan are written one at a time, so each
    is checked against the logs before it and the plan's status cannot change meanwhile."""
    action = "session.create"
    plan = await LOGGING.plan(
        session, plan_id=plan_id, caller=caller, origin=origin, action=action, for_update=True
    )
    if plan.status != "active":
        raise Conflict(NOT_LOGGABLE.get(plan.status, "This plan takes no home sessions."))
    _check_day(plan, data.performed_on)
    row = HomeSession(
        plan_id=plan.id,
        patient_id=plan.patient_id,
        performed_on=data.performed_on,
        exercises=_exercises_done(plan, data.exercises),
        pain=data.pain,
        numbness=data.numbness,
        note=data.note,
    )
    written = await _insert_unless_logged(session, row)
    reasons = await red_flags.check_log(session, plan=plan, log=written)
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        entity=("home_session", written.id),
        detail={"plan_id": str(plan.id), "red_flags": reasons},
    )
    return session_read(written, plan, reasons)


async def _insert_unless_logged(session: AsyncSession, row: HomeSession) -> HomeSession:
    """Insert the log; the unique (plan_id, performed_on) turns a second one for the day into
    a 409 that points at the first (never a unique-violation error)."""
    statement = (
        insert(HomeSession)
        .values(row.model_dump())
        .on_conflict_do_nothing(index_elements=["plan_id", "performed_on"])
        .returning(HomeSession)
    )
    written = (await session.exec(statement)).scalar_one_or_none()  # type: ignore[call-overload]
    if written is not None:
        return written
    first = await _log_of_day(session, plan_id=row.plan_id, day=row.performed_on)
    raise Conflict(
        f"A home session is already logged for {row.performed_on}: correct that one instead "
        "(on the same day).",
        session_id=str(first.id),
        session_url=session_url(first),
    )


async def _log_of_day(session: AsyncSession, *, plan_id: uuid.UUID, day: date) -> HomeSession:
    statement = select(HomeSession).where(
        HomeSession.plan_id == plan_id, HomeSession.performed_on == day
    )
    return (await session.exec(statement)).one()


async def _log_of(session: AsyncSession, plan: PlanOfCare, session_id: uuid.UUID) -> HomeSession:
    found = await session.get(HomeSession, session_id)
    if found is None or found.plan_id != plan.id:
        raise NotFound(SESSION_NOT_FOUND)
    return found


async def correct_session(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    session_id: uuid.UUID,
    data: HomeSessionUpdate,
    if_match: IfMatch,
    caller: Caller,
    origin: audit.Origin,
) -> HomeSessionRead:
    """Apply a correction to a log of today (the clinic's today) at the version the patient
    read (If-Match; `*`: as it is now), then check it against the red-flag criteria again.
    If-Match is looked at once the caller is known to reach the log: another patient's
    log answers 404 whatever the header says."""
    action = "session.update"
    plan = await LOGGING.plan(
        session, plan_id=plan_id, caller=caller, origin=origin, action=action, for_update=True
    )
    current = await _log_of(session, plan, session_id)
    expected_versions = if_match.versions()
    if current.performed_on != clinic_today(plan):
        raise Conflict(
            f"This log is for {current.performed_on}: a log can be corrected only on the day "
            "it was performed (in the clinic's time zone)."
        )
    values = data.model_dump(exclude_unset=True)
    if "exercises" in values:
        values["exercises"] = _exercises_done(plan, data.exercises)  # type: ignore[arg-type]
    updated = await update_if_version(
        session, HomeSession, current.id, expected_versions or current.version, values
    )
    reasons = await red_flags.check_log(session, plan=plan, log=updated)
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        entity=("home_session", updated.id),
        detail={"fields": sorted(values), "version": updated.version, "red_flags": reasons},
    )
    return session_read(updated, plan, reasons)


# -- reading ------------------------------------------------------------------------------------


async def list_sessions(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[list[HomeSessionRead], str | None]:
    """Newest first; a plan has one log a day, so the day alone orders them."""
    action = "session.list"
    plan = await READING.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=action)
    statement = select(HomeSession).where(HomeSession.plan_id == plan.id)
    if cursor:
        day = col(HomeSession.performed_on)
        statement = statement.where(before([day], decode_cursor(cursor, [date.fromisoformat])))
    statement = statement.order_by(col(HomeSession.performed_on).desc()).limit(limit + 1)
    rows, next_cursor = page_of((await session.exec(statement)).all(), limit, _day_key)
    reasons = await red_flags.reasons_by_session(session, [r.id for r in rows])
    await audit.record_on_plan(
        session, plan, action=action, caller=caller, origin=origin, detail={"returned": len(rows)}
    )
    return [session_read(r, plan, reasons.get(r.id, [])) for r in rows], next_cursor


def _day_key(row: HomeSession) -> tuple[str]:
    return (row.performed_on.isoformat(),)


async def read_session(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    session_id: uuid.UUID,
    caller: Caller,
    origin: audit.Origin,
) -> HomeSessionRead:
    action = "session.read"
    plan = await READING.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=action)
    found = await _log_of(session, plan, session_id)
    reasons = await red_flags.reasons_by_session(session, [found.id])
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        entity=("home_session", found.id),
    )
    return session_read(found, plan, reasons.get(found.id, []))


async def read_adherence(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    asked_from: date | None,
    asked_to: date | None,
    caller: Caller,
    origin: audit.Origin,
) -> AdherenceRead:
    action = "adherence.read"
    plan = await READING.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=action)
    found = await adherence.adherence(
        session, plan=plan, today=clinic_today(plan), asked_from=asked_from, asked_to=asked_to
    )
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        detail={"from": found.from_date.isoformat(), "to": found.to_date.isoformat()},
    )
    return found


# -- red flags, for therapists -----------------------------------------------------------------


async def list_red_flags(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    open_only: bool,
    limit: int,
    cursor: str | None,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[list[RedFlagRead], str | None]:
    action = "red_flag.list"
    plan = await FLAGS.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=action)
    rows, next_cursor = await red_flags.list_flags(
        session, plan=plan, open_only=open_only, limit=limit, cursor=cursor
    )
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        detail={"open": open_only, "returned": len(rows)},
    )
    return [red_flags.flag_read(f, plan) for f in rows], next_cursor


async def acknowledge_red_flag(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    flag_id: uuid.UUID,
    note: str,
    caller: Caller,
    origin: audit.Origin,
) -> RedFlagRead:
    action = "red_flag.acknowledge"
    plan = await FLAGS.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=action)
    flag = await red_flags.acknowledge(
        session, plan=plan, flag_id=flag_id, note=note, caller=caller
    )
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        entity=("red_flag", flag.id),
        detail={"reason": flag.reason, "session_id": str(flag.session_id)},
    )
    return red_flags.flag_read(flag, plan)
