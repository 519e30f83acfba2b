"""A plan as each reader sees it: the whole plan for therapists and admins (and for the
revisions, which keep it), the scheduling facts for the front desk. Built from the stored
row without validating it."""

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.plans.care.schemas import (
    AuthorizationRead,
    PlanRead,
    PlanSchedulingRead,
    ProgramItemRead,
)
from services.plans.content import Dosage, dosage_in_words
from services.plans.models import PlanOfCare, PlanVisit, Protocol


def program_item_read(item: dict[str, Any]) -> ProgramItemRead:
    """A stored program item with its dosage spread out, and in words."""
    dosage = item.get("dosage") or {}
    words = dosage_in_words(Dosage.model_construct(**dosage))
    fields = {k: v for k, v in item.items() if k != "dosage"}
    return ProgramItemRead.model_validate(fields | dosage | {"dosage_in_words": words})


async def _visits_in(session: AsyncSession, plan: PlanOfCare) -> int:
    """The plan's completed visits on dates the authorization covers (a visit whose date
    scheduling did not give counts)."""
    dated = col(PlanVisit.visit_date)
    statement = select(func.count()).where(
        col(PlanVisit.plan_id) == plan.id, col(PlanVisit.completed).is_(True)
    )
    if plan.authorization_valid_from is not None:
        statement = statement.where(or_(dated.is_(None), dated >= plan.authorization_valid_from))
    if plan.authorization_valid_until is not None:
        statement = statement.where(or_(dated.is_(None), dated <= plan.authorization_valid_until))
    return (await session.exec(statement)).one()


async def authorization_read(session: AsyncSession, plan: PlanOfCare) -> AuthorizationRead | None:
    visits = plan.authorization_visits
    if visits is None and plan.authorization_valid_until is None:
        return None
    left = None if visits is None else max(0, visits - await _visits_in(session, plan))
    return AuthorizationRead(
        visits=visits,
        valid_from=plan.authorization_valid_from,
        valid_until=plan.authorization_valid_until,
        visits_left=left,
    )


async def plan_read(session: AsyncSession, plan: PlanOfCare) -> PlanRead:
    protocol = await session.get(Protocol, plan.protocol_id) if plan.protocol_id else None
    stored = plan.model_dump(exclude={"program", "protocol_id"})
    return PlanRead.model_validate(
        stored
        | {
            "protocol": protocol.slug if protocol else None,
            "authorization": await authorization_read(session, plan),
            "exercises": [program_item_read(item) for item in plan.program],
        }
    )


async def scheduling_read(session: AsyncSession, plan: PlanOfCare) -> PlanSchedulingRead:
    fields = PlanSchedulingRead.model_fields.keys() - {"view", "authorization"}
    return PlanSchedulingRead.model_validate(
        {name: getattr(plan, name) for name in fields}
        | {"authorization": await authorization_read(session, plan)}
    )
