"""The plans service's audit trail: one append-only row for every read or change of a plan,
a home session, adherence or a handout, and every refusal. The shape and the behaviour are
common's (services/common/audit.py), as in the patients service."""

import uuid
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.audit import AuditTrail, Origin
from services.common.auth import Caller
from services.plans.models import AuditEvent

__all__ = ["Origin", "event", "record", "record_on_plan", "record_replay", "refused", "trail"]

trail = AuditTrail(AuditEvent)
event = trail.event
record = trail.record
record_replay = trail.record_replay
refused = trail.refused


class OfPatient(Protocol):
    """A plan, as stored or as read: its id and its patient's."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def patient_id(self) -> uuid.UUID: ...


async def record_on_plan(
    session: AsyncSession,
    plan: OfPatient,
    *,
    action: str,
    caller: Caller,
    origin: Origin,
    entity: tuple[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """A success row about one plan's patient: the entity is the plan unless one is named."""
    await record(
        session,
        action=action,
        caller=caller,
        origin=origin,
        patient_id=plan.patient_id,
        entity=entity or ("plan", plan.id),
        detail=detail,
    )
