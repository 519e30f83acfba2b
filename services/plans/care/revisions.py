"""How a plan changes, and the revisions it keeps.

Every change is one atomic `UPDATE ... WHERE version` (the If-Match, or the version this
request read): of two therapists changing a plan from the same read, one wins and the other
gets 412. A draft changes in place. A signed plan's every change also writes the next
immutable revision in the same transaction, holding the whole plan as it then stood, so
the revision count goes up by exactly one with each winning change.
"""

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import NotFound, PreconditionFailed
from services.common.pagination import after, decode_cursor, page_of
from services.common.preconditions import CHANGED_SINCE_READ, update_if_version
from services.plans import audit
from services.plans.care.access import reachable_plan
from services.plans.care.reads import plan_read
from services.plans.care.schemas import RevisionKind
from services.plans.models import PlanOfCare, PlanRevision

NO_REVISION = "This plan has no revision with this number."


def check_version(plan: PlanOfCare, expected: Collection[int] | None) -> None:
    """412 at once when the If-Match names another version than the one just read (the
    UPDATE checks again, atomically)."""
    if expected is not None and plan.version not in expected:
        raise PreconditionFailed(CHANGED_SINCE_READ)


async def apply_change(
    session: AsyncSession,
    *,
    plan: PlanOfCare,
    values: Mapping[str, Any],
    expected: Collection[int] | None,
    caller: Caller,
    kind: RevisionKind,
    summary: str,
) -> PlanOfCare:
    """Change the plan if it is still at an expected version (412 otherwise); a signed plan,
    or one being signed, gets its next revision."""
    signed = plan.status != "draft" or kind == "signed"
    next_revision = col(PlanOfCare.revision) + 1
    stamped = {**values, "revision": next_revision} if signed else dict(values)
    updated = await update_if_version(
        session, PlanOfCare, plan.id, expected or plan.version, stamped
    )
    if signed:
        await _write_revision(
            session, plan=updated, kind=kind, fields=sorted(values), summary=summary, caller=caller
        )
    return updated


async def _write_revision(
    session: AsyncSession,
    *,
    plan: PlanOfCare,
    kind: RevisionKind,
    fields: list[str],
    summary: str,
    caller: Caller,
) -> None:
    content = (await plan_read(session, plan)).model_dump(mode="json")
    revision = PlanRevision(
        plan_id=plan.id,
        number=plan.revision,
        kind=kind,
        changed_fields=fields,
        summary=summary,
        content=content,
        plan_version=plan.version,
        changed_by=caller.user_id,
    )
    session.add(revision)
    await session.flush()


async def list_revisions(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[list[PlanRevision], str | None]:
    """Oldest first, by number."""
    action = "plan.revision.read"
    plan = await reachable_plan(session, plan_id, caller=caller, origin=origin, action=action)
    statement = select(PlanRevision).where(col(PlanRevision.plan_id) == plan_id)
    if cursor:
        statement = statement.where(after([col(PlanRevision.number)], decode_cursor(cursor, [int])))
    rows = (await session.exec(statement.order_by(col(PlanRevision.number)).limit(limit + 1))).all()
    page = page_of(rows, limit, lambda r: (r.number,))
    numbers = [r.number for r in page[0]]
    await _audit_read(session, plan, caller=caller, origin=origin, detail={"numbers": numbers})
    return page


async def read_revision(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    number: int,
    caller: Caller,
    origin: audit.Origin,
) -> PlanRevision:
    action = "plan.revision.read"
    plan = await reachable_plan(session, plan_id, caller=caller, origin=origin, action=action)
    revision = await session.get(PlanRevision, (plan_id, number))
    if revision is None:
        raise NotFound(NO_REVISION)
    await _audit_read(session, plan, caller=caller, origin=origin, detail={"numbers": [number]})
    return revision


async def _audit_read(
    session: AsyncSession,
    plan: PlanOfCare,
    *,
    caller: Caller,
    origin: audit.Origin,
    detail: dict[str, Any],
) -> None:
    await audit.record(
        session,
        action="plan.revision.read",
        caller=caller,
        origin=origin,
        patient_id=plan.patient_id,
        entity=("plan", plan.id),
        detail=detail,
    )
