"""A plan's status machine, and recertification.

draft -> active (signing) -> on_hold <-> active -> completed or discontinued (with a reason).
Anything else is a 409 that names the moves allowed from the current status. Signing needs
diagnoses, at least one goal and a certification period, and writes revision 1; every later
move writes the next revision. Recertifying opens a new certification period of at most 90
days, signed by the caller, as a revision of its own; only an active or held plan has one.
If-Match is optional on these routes: sent, it must match (412).
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import Conflict, InvalidInput
from services.plans import audit
from services.plans.care.access import reachable_plan
from services.plans.care.schemas import RecertifyRequest, check_certification_end
from services.plans.changes import apply_change, check_version
from services.plans.models import CERTIFICATION_DAYS, PlanOfCare


@dataclass(frozen=True, slots=True)
class Move:
    start: tuple[str, ...]  # the statuses it leaves
    end: str
    summary: str


MOVES = {
    "activate": Move(("draft",), "active", "Signed"),
    "hold": Move(("active",), "on_hold", "Put on hold"),
    "resume": Move(("on_hold",), "active", "Resumed"),
    "complete": Move(("active", "on_hold"), "completed", "Completed"),
    "discontinue": Move(("active", "on_hold"), "discontinued", "Discontinued"),
}
SIGNED_STATUSES = ("active", "on_hold")


def default_certification_end(start: date, duration_weeks: int) -> date:
    """The plan's duration from the start, at most the 90 days a certification may last."""
    return start + timedelta(days=min(duration_weeks * 7, CERTIFICATION_DAYS))


def _refuse_move(plan: PlanOfCare, move: str) -> Conflict:
    allowed = [name for name, m in MOVES.items() if plan.status in m.start]
    if allowed:
        detail = f"A plan that is {plan.status} can only {' or '.join(allowed)}, not {move}."
    else:
        detail = f"A plan that is {plan.status} cannot change status any more."
    return Conflict(detail, current_status=plan.status, allowed_moves=allowed)


def _check_signable(plan: PlanOfCare) -> None:
    missing = [name for name in ("diagnoses", "goals") if not getattr(plan, name)]
    if missing:
        raise Conflict(
            "Signing needs diagnoses, at least one goal and a certification period; "
            f"this draft has no {' and no '.join(missing)}: add them with PATCH first.",
            missing=missing,
        )


async def move_plan(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    move: str,
    reason: str | None,
    expected: Collection[int] | None,
    caller: Caller,
    origin: audit.Origin,
) -> PlanOfCare:
    action, step = f"plan.{move}", MOVES[move]
    plan = await reachable_plan(
        session, plan_id, caller=caller, origin=origin, action=action, for_update=True
    )
    check_version(plan, expected)
    if plan.status not in step.start:
        raise _refuse_move(plan, move)
    values: dict[str, object] = {"status": step.end, "status_reason": reason}
    if move == "activate":
        _check_signable(plan)
        values |= {"signed_by": caller.user_id, "signed_at": utcnow()}
    summary = step.summary + (f": {reason}" if reason else "")
    kind = "signed" if move == "activate" else "status"
    changed = await apply_change(
        session, plan=plan, values=values, expected=expected, caller=caller, kind=kind,
        summary=summary,
    )  # fmt: skip
    await _audit(session, changed, action, caller=caller, origin=origin)
    return changed


async def recertify_plan(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    data: RecertifyRequest,
    expected: Collection[int] | None,
    caller: Caller,
    origin: audit.Origin,
) -> PlanOfCare:
    action = "plan.recertify"
    plan = await reachable_plan(
        session, plan_id, caller=caller, origin=origin, action=action, for_update=True
    )
    check_version(plan, expected)
    if plan.status not in SIGNED_STATUSES:
        raise Conflict(f"Only an active or held plan is recertified; this one is {plan.status}.")
    start, end = _new_period(plan, data)
    values = {
        "certification_start": start,
        "certification_end": end,
        "signed_by": caller.user_id,
        "signed_at": utcnow(),
    }
    summary = f"Recertified from {start.isoformat()} to {end.isoformat()}"
    changed = await apply_change(
        session, plan=plan, values=values, expected=expected, caller=caller,
        kind="recertified", summary=summary,
    )  # fmt: skip
    await _audit(session, changed, action, caller=caller, origin=origin)
    return changed


def _new_period(plan: PlanOfCare, data: RecertifyRequest) -> tuple[date, date]:
    start = data.certification_start or plan.certification_end + timedelta(days=1)
    if start <= plan.certification_start:
        raise InvalidInput(
            "A new certification period starts after the current one began "
            f"({plan.certification_start.isoformat()}).",
            field="body.certification_start",
        )
    end = data.certification_end or default_certification_end(start, plan.duration_weeks)
    try:
        check_certification_end(start, end)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="body.certification_end") from exc
    return start, end


async def _audit(
    session: AsyncSession, plan: PlanOfCare, action: str, *, caller: Caller, origin: audit.Origin
) -> None:
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        detail={"status": plan.status, "version": plan.version, "revision": plan.revision},
    )
