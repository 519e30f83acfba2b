"""How a plan changes, and the revision a signed plan keeps of each change.

Every change is one atomic `UPDATE ... WHERE version` (the If-Match, or the version this
request read): of two therapists changing a plan from the same read, one wins and the other
gets 412. A draft changes in place. A signed plan's every change also writes the next
immutable revision in the same transaction, holding the whole plan as it then stood (the
therapists' read of it), so the revision count goes up by exactly one with each winning
change. Shared by the parts that change a plan: care (edits, signing, status moves,
recertification) and progress (progress reports).
"""

from collections.abc import Collection, Mapping
from typing import Any

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import PreconditionFailed
from services.common.preconditions import CHANGED_SINCE_READ, update_if_version
from services.plans.care.reads import plan_read
from services.plans.care.schemas import RevisionKind
from services.plans.models import PlanOfCare, PlanRevision

# Columns a client knows by another name: the one PlanRead answers and PlanUpdate takes.
_READ_NAMES = {
    "program": "exercises",
    "authorization_visits": "authorization",
    "authorization_valid_from": "authorization",
    "authorization_valid_until": "authorization",
}


def changed_fields(values: Mapping[str, Any]) -> list[str]:
    """The plan's fields these column values change, as a reader of the plan names them."""
    return sorted({_READ_NAMES.get(column, column) for column in values})


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
            session,
            plan=updated,
            kind=kind,
            fields=changed_fields(values),
            summary=summary,
            caller=caller,
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
