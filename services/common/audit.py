"""The audit trail as a building block: who did what to which record, when, from where.

Every service keeps its own append-only table in its own schema, built from the same shape
(`AuditEventFields` plus `audit_id_field` and `audit_table_args`), written in the request's
transaction so a row commits or rolls back with the change it records. A refused attempt is
kept even though its request rolls back (`AuditTrail.refused`). The trail is read newest first
through `GET /v1/audit` (`audit_router`), admins only; reading it is itself audited.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import BigInteger, CheckConstraint, Column, Identity, Index, insert, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller, require_role
from services.common.columns import created_at_field, utcnow
from services.common.database import SessionDep
from services.common.errors import Problem, problem_responses
from services.common.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    before,
    decode_cursor,
    page_of,
)
from services.common.request_context import current_request_id

OUTCOMES = ("success", "denied", "failure")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from, for the audit trail."""

    client_ip: str | None


async def origin_of(request: Request) -> Origin:
    # The middleware has already replaced the peer with the client a trusted proxy names.
    # Async, though it awaits nothing: FastAPI runs a plain `def` dependency in its thread
    # pool, a thread switch on every audited request (bench/README.md, me-plans).
    return Origin(client_ip=request.client.host if request.client else None)


OriginDep = Annotated[Origin, Depends(origin_of)]
NO_ORIGIN = Origin(client_ip=None)


class AuditEventFields(SQLModel):
    """The columns every service's audit table has (the table adds `id`, see below)."""

    occurred_at: datetime = created_at_field()
    actor_user_id: uuid.UUID | None = None
    actor_role: str | None = Field(default=None, max_length=20)
    action: str = Field(max_length=60)
    outcome: str = Field(default="success", max_length=10)
    patient_id: uuid.UUID | None = None
    entity_type: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=64)
    client_ip: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=128)
    detail: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": "{}"},
        nullable=False,
    )


def audit_id_field() -> Any:
    """A fresh identity column per table: a Column object can belong to one table only."""
    return Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )


def audit_table_args(schema: str) -> tuple[Any, ...]:
    """Constraint and indexes of an audit table: reads are by patient or actor, newest first."""
    outcomes = ", ".join(repr(o) for o in OUTCOMES)
    return (
        CheckConstraint(f"outcome IN ({outcomes})", name="outcome"),
        Index("ix_audit_event_patient_id", "patient_id", text("id DESC")),
        Index("ix_audit_event_actor_user_id", "actor_user_id", text("id DESC")),
        {"schema": schema},
    )


def append_only_function(schema: str, table: str = "audit_event") -> str:
    return f"{schema}.refuse_{table}_change"


def append_only_statements(schema: str, table: str = "audit_event") -> list[str]:
    """For a migration: a trigger refusing UPDATE, DELETE and TRUNCATE on the table, whatever
    the application does. Dropping the table drops the triggers; drop the function after it
    (`append_only_function(schema, table)`). Also for other immutable tables (plan revisions)."""
    function = append_only_function(schema, table)
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{schema}.{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$""",
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {schema}.{table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {schema}.{table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


class AuditEventRead(BaseModel):
    """One audit row as the trail shows it."""

    id: int
    occurred_at: datetime
    actor_user_id: uuid.UUID | None
    actor_role: str | None
    action: str
    outcome: str
    patient_id: uuid.UUID | None
    entity_type: str | None
    entity_id: str | None
    client_ip: str | None
    request_id: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which rows of the trail to read; None means any."""

    patient_id: uuid.UUID | None = None
    actor_user_id: uuid.UUID | None = None
    action: str | None = None


Event = TypeVar("Event", bound=AuditEventFields)


@dataclass(frozen=True, slots=True)
class AuditTrail(Generic[Event]):
    """One service's trail, bound to its table."""

    model: type[Event]

    def event(
        self,
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
    ) -> Event:
        return self.model(
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

    async def record(self, session: AsyncSession, **fields: Any) -> None:
        """Add a row (fields as for `event`) to the request's transaction."""
        session.add(self.event(**fields))

    async def record_each(
        self,
        session: AsyncSession,
        *,
        action: str,
        origin: Origin,
        details: Mapping[uuid.UUID, dict[str, Any]],
        actor_user_id: uuid.UUID | None,
        actor_role: str | None,
    ) -> None:
        """One row per patient (`details`: each patient's detail), all in one INSERT of plain
        values: the per-patient rows of a list of 60 need not become 60 tracked ORM objects,
        which cost a day sheet more than its reads (bench/README.md, day-sheet)."""
        if not details:
            return
        shared = {
            "occurred_at": utcnow(),
            "actor_user_id": actor_user_id,
            "actor_role": actor_role,
            "action": action,
            "outcome": "success",
            "client_ip": origin.client_ip,
            "request_id": current_request_id(),
        }
        rows = [shared | {"patient_id": p, "detail": d} for p, d in details.items()]
        await session.exec(insert(self.model), params=rows)  # type: ignore[call-overload]

    async def record_replay(
        self,
        session: AsyncSession,
        *,
        of: str,
        caller: Caller,
        origin: Origin,
        patient_id: uuid.UUID | None,
        entity: tuple[str, Any] | None = None,
    ) -> None:
        """A retried create answered from its stored answer (Idempotency-Key) shows the
        record again: a row on the patient's trail, naming the first action (`of`)."""
        await self.record(
            session,
            action="request.replay",
            caller=caller,
            origin=origin,
            patient_id=patient_id,
            entity=entity,
            detail={"of": of},
        )

    def refused(
        self,
        problem: Problem,
        *,
        action: str,
        caller: Caller,
        origin: Origin,
        patient_id: uuid.UUID | None,
    ) -> Problem:
        """The problem, carrying an audit row of the refused attempt that survives the
        request's rollback."""
        row = self.event(
            action=action,
            outcome="denied",
            caller=caller,
            origin=origin,
            patient_id=patient_id,
            detail={"status": problem.status},
        )
        return problem.keeping(row)

    async def page(
        self, session: AsyncSession, *, query: AuditQuery, limit: int, cursor: str | None
    ) -> tuple[list[Event], str | None]:
        """Newest first."""
        model: Any = self.model
        statement = select(model)
        if query.patient_id:
            statement = statement.where(model.patient_id == query.patient_id)
        if query.actor_user_id:
            statement = statement.where(model.actor_user_id == query.actor_user_id)
        if query.action:
            statement = statement.where(model.action == query.action)
        if cursor:
            statement = statement.where(before([model.id], decode_cursor(cursor, [int])))
        rows = (await session.exec(statement.order_by(model.id.desc()).limit(limit + 1))).all()
        return page_of(rows, limit, lambda e: (e.id,))


def audit_router(trail: AuditTrail[Any], *, name: str = "read_audit_trail") -> APIRouter:
    """`GET /v1/audit` over one service's trail. Admins only; the read is itself audited.
    `name` is the operation id: unique across the services, for generated clients."""
    router = APIRouter(prefix="/v1/audit", tags=["audit"])
    admin = Annotated[Caller, Depends(require_role("admin"))]

    @router.get(
        "",
        response_model=Page[AuditEventRead],
        responses=problem_responses(401, 403, 422),
        name=name,
    )
    async def read_audit_trail(
        caller: admin,
        session: SessionDep,
        origin: OriginDep,
        patient_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
        action: Annotated[str | None, Query(max_length=60, pattern=r"^[a-z_.]+$")] = None,
        limit: LimitQuery = 50,
        cursor: CursorQuery = None,
    ) -> Any:
        """The audit trail, newest first: of one patient, one actor or one action. Admins
        only."""
        query = AuditQuery(patient_id=patient_id, actor_user_id=actor_id, action=action)
        items, next_cursor = await trail.page(session, query=query, limit=limit, cursor=cursor)
        await trail.record(
            session,
            action="audit.read",
            caller=caller,
            origin=origin,
            patient_id=patient_id,
            detail={"actor_id": str(actor_id) if actor_id else None, "action": action},
        )
        return Page(items=items, next_cursor=next_cursor)

    return router
