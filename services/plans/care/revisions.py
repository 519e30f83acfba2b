"""Reading a plan's revisions: the list, oldest first, and one by its number. They are
written with each change to a signed plan (services/plans/changes.py)."""

import uuid
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import NotFound
from services.common.pagination import after, decode_cursor, page_of
from services.plans import audit
from services.plans.care.access import reachable_plan
from services.plans.models import PlanOfCare, PlanRevision

NO_REVISION = "This plan has no revision with this number."


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
    await audit.record_on_plan(
        session, plan, action="plan.revision.read", caller=caller, origin=origin, detail=detail
    )
