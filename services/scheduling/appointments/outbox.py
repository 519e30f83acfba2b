"""Visit outcomes for the plans service: a transactional outbox and its relay.

Completing a visit of a plan (or undoing the completion) adds a row here in the same
transaction as the status change, so the outcome exists exactly when the change does. The
relay sends due rows to plans' `POST /v1/visit-outcomes` as this service, after commit and
outside any transaction: it takes a batch in a short transaction (each row leased for a
while, `FOR UPDATE SKIP LOCKED`, so two relays never take the same row at once), posts each,
then marks it sent or due again after a growing wait (2 s, 4 s, ... at most an hour).
Nothing is lost while plans is down; a row sent twice (a relay that died before marking it)
is harmless, since plans records each `event_id` once. Outcomes may arrive out of order:
plans orders them by `occurred_at`. Each round also deletes rows sent more than
`CLINIC_VISIT_OUTCOME_KEEP_DAYS` ago (a batch at a time), so the table holds what is waiting
and a month of what went, not every visit ever completed.

The relay runs in the app's lifespan every `CLINIC_VISIT_OUTCOME_RELAY_SECONDS`;
`relay_visit_outcomes` is also called directly (by tests, or an operator).
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.columns import utcnow
from services.common.database import committing
from services.common.errors import Problem
from services.common.service_client import ServiceClient, app_client
from services.scheduling.models import Appointment, VisitOutcomeOutbox

BATCH = 50
PRUNED_PER_ROUND = 1000  # a short delete each round; a backlog goes over a few rounds
LEASE = timedelta(seconds=30)  # a row taken by a relay that then died is due again after this
LONGEST_WAIT = timedelta(hours=1)
log = logging.getLogger("clinic.scheduling.outbox")


class VisitOutcomeNote(BaseModel):
    """The body of plans' `POST /v1/visit-outcomes`."""

    event_id: uuid.UUID
    plan_id: uuid.UUID
    appointment_id: uuid.UUID
    outcome: str
    occurred_at: datetime
    visit_date: date


class VisitOutcomeAck(BaseModel):
    event_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class RelayRound:
    sent: int
    failed: int
    pruned: int = 0


def record_outcome(
    session: AsyncSession, appointment: Appointment, *, outcome: str, now: datetime, zone: ZoneInfo
) -> None:
    """Queue the outcome of a plan's visit in the request's transaction (none without a plan).
    `now` is when it happened; it is due to be sent at once, by the database's clock."""
    if appointment.plan_id is None:
        return
    session.add(
        VisitOutcomeOutbox(
            plan_id=appointment.plan_id,
            appointment_id=appointment.id,
            outcome=outcome,
            occurred_at=now,
            visit_date=appointment.starts_at.astimezone(zone).date(),
        )
    )


async def relay_visit_outcomes(app: FastAPI, *, now: datetime | None = None) -> RelayRound:
    """Send the outcomes due (at `now`, the clock by default) to plans; how many went."""
    now = now or utcnow()
    engine = app.state.engine
    async with committing(AsyncSession(engine, expire_on_commit=False)) as session:
        due = await _take_due(session, now)
    plans = app_client(app, "plans")
    failures = {event.event_id: await _deliver(plans, event) for event in due}
    failures = {event_id: error for event_id, error in failures.items() if error}
    keep = timedelta(days=app.state.settings.visit_outcome_keep_days)
    async with committing(AsyncSession(engine, expire_on_commit=False)) as session:
        await _settle(session, due, failures, now)
        pruned = await _prune_sent(session, before=now - keep)
    return RelayRound(sent=len(due) - len(failures), failed=len(failures), pruned=pruned)


async def _take_due(session: AsyncSession, now: datetime) -> Sequence[VisitOutcomeOutbox]:
    table = VisitOutcomeOutbox
    due = (
        select(table.event_id)
        .where(col(table.sent_at).is_(None), col(table.next_attempt_at) <= now)
        .order_by(col(table.next_attempt_at))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(table)
        .where(col(table.event_id).in_(due.scalar_subquery()))
        .values(attempts=col(table.attempts) + 1, next_attempt_at=now + LEASE)
        .returning(table)
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    return list(result.scalars().all())


async def _deliver(plans: ServiceClient, event: VisitOutcomeOutbox) -> str | None:
    """Post one outcome; None when plans took it, else why not."""
    note = VisitOutcomeNote.model_validate(event, from_attributes=True)
    try:
        await plans.post("/v1/visit-outcomes", note, VisitOutcomeAck)
    except Problem as problem:
        log.warning("visit outcome %s not delivered: %s", event.event_id, problem.detail)
        return problem.detail
    return None


async def _settle(
    session: AsyncSession,
    due: Sequence[VisitOutcomeOutbox],
    failures: dict[uuid.UUID, str],
    now: datetime,
) -> None:
    table = VisitOutcomeOutbox
    for event in due:
        error = failures.get(event.event_id)
        values = (
            {"sent_at": now, "last_error": None}
            if error is None
            else {"next_attempt_at": now + _wait(event.attempts), "last_error": error[:500]}
        )
        statement = update(table).where(col(table.event_id) == event.event_id).values(**values)
        await session.exec(statement)  # type: ignore[call-overload]


async def _prune_sent(session: AsyncSession, *, before: datetime) -> int:
    """Delete up to PRUNED_PER_ROUND rows sent before `before`; how many went. Plans has
    each of them (it answered), so nothing here is needed again."""
    table = VisitOutcomeOutbox
    old = (
        select(table.event_id)
        .where(col(table.sent_at) < before)
        .limit(PRUNED_PER_ROUND)
        .with_for_update(skip_locked=True)
    )
    statement = delete(table).where(col(table.event_id).in_(old.scalar_subquery()))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return int(result.rowcount)


def _wait(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 12)), LONGEST_WAIT)


@asynccontextmanager
async def relaying(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan hook: relay in the background every so often (never with 0)."""
    seconds = app.state.settings.visit_outcome_relay_seconds
    task = asyncio.create_task(_relay_forever(app, seconds)) if seconds else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def _relay_forever(app: FastAPI, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await relay_visit_outcomes(app)
        except Exception:  # the database down, say: log it and try again next round
            log.exception("relaying visit outcomes failed")
