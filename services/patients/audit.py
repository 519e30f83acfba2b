"""The audit trail: one append-only row for every read or change of PHI and every sign-in."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import Problem
from services.common.pagination import decode_cursor, page_of
from services.common.request_context import current_request_id
from services.patients.models import AuditEvent


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from, for the audit trail."""

    client_ip: str | None


async def record(session: AsyncSession, **fields: Any) -> None:
    """Add an audit row (fields as for `event`) to the request's transaction: it commits or
    rolls back with the change it records."""
    session.add(event(**fields))


def event(
    *,
    action: str,
    origin: Origin,
    caller: Caller | None = None,
    actor_user_id: uuid.UUID | None = None,
    actor_role: str | None = None,
    patient_id: uuid.UUID | None = None,
    entity: tuple[str, Any] | None = None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent(
        actor_user_id=caller.user_id if caller else actor_user_id,
        actor_role=caller.role if caller else actor_role,
        action=action,
        outcome=outcome,
        patient_id=patient_id,
        entity_type=entity[0] if entity else None,
        entity_id=str(entity[1]) if entity else None,
        client_ip=origin.client_ip,
        request_id=current_request_id(),
        detail=detail or {},
    )


def refused(
    problem: Problem, *, action: str, caller: Caller, origin: Origin, patient_id: uuid.UUID
) -> Problem:
    """The problem, carrying an audit row of the refused attempt that survives the rollback."""
    return problem.keeping(
        event(
            action=action,
            outcome="denied",
            caller=caller,
            origin=origin,
            patient_id=patient_id,
            detail={"status": problem.status},
        )
    )


async def trail(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID | None,
    actor_user_id: uuid.UUID | None,
    action: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditEvent], str | None]:
    """Newest first."""
    statement = select(AuditEvent)
    if patient_id:
        statement = statement.where(AuditEvent.patient_id == patient_id)
    if actor_user_id:
        statement = statement.where(AuditEvent.actor_user_id == actor_user_id)
    if action:
        statement = statement.where(AuditEvent.action == action)
    if cursor:
        (before,) = decode_cursor(cursor, [int])
        statement = statement.where(AuditEvent.id < before)
    ordered = statement.order_by(AuditEvent.id.desc()).limit(limit + 1)  # type: ignore[union-attr]
    rows = (await session.exec(ordered)).all()
    return page_of(rows, limit, lambda e: (e.id,))
