"""Idempotency keys: a POST sent again with the same `Idempotency-Key` does its work once.

Stripe's rules. The first request with a key runs, and its answer is stored in the same
transaction as its work: both commit or neither does, so a failed attempt (any 4xx or 5xx,
raised as an exception) stores nothing and leaves the key free for a retry. A later request
with the key and the same method, path and body gets the stored answer again, byte for byte,
with `Idempotent-Replayed: true`; with another method, path or body it is refused (422). A
duplicate that arrives while the first is still running is refused at once (409): a
transaction-scoped advisory lock on (table, caller, key) marks the key as taken, and
`pg_try_advisory_xact_lock` never waits, so it never deadlocks. A key belongs to its caller
(another caller's same key is another key) and is kept 24 hours; after that it is new again.

Each service keeps its own table in its own schema: subclass `IdempotencyRecord` there.
A route calls `claim()` before its work and `Claim.answer()` to send (and store) its answer.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import DateTime, Text, delete, func, text, tuple_
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import Conflict, InvalidInput

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_FOR = timedelta(hours=24)
KEPT_HEADERS = ("Location", "ETag", "Content-Type")
PRUNED_PER_ANSWER = 100  # expired rows deleted alongside each stored answer

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=KEY_HEADER,
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Optional. A unique value (1-255 visible ASCII characters, e.g. a UUID) "
        "that makes a retry safe: the same key with the same body answers the first answer "
        "again, with `Idempotent-Replayed: true`, and does nothing twice. The same key with "
        "another body is refused (422); while the first request is still running, 409. Keys "
        "are kept 24 hours per caller. A request that failed stores nothing, so its key can "
        "be retried.",
    ),
]


class IdempotencyRecord(SQLModel):
    """The columns of a service's idempotency table: a key, who sent it, what it was sent
    with, and the answer it got. Subclass with `table=True` and the service's schema."""

    caller: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    request_method: str = Field(max_length=10)
    request_path: str = Field(max_length=2048)
    request_hash: str = Field(max_length=64)  # SHA-256 of the body, hex
    status: int
    body: str = Field(sa_type=Text)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    created_at: datetime = Field(
        sa_type=DateTime(timezone=True),  # type: ignore[call-overload]
        sa_column_kwargs={"server_default": func.now()},
        nullable=False,
        index=True,  # expiry and pruning read by age
    )


class RequestInFlight(Conflict):
    type_slug, title = "idempotency-key-in-use", "Request still in progress"


class KeyReused(InvalidInput):
    type_slug, title = "idempotency-key-reused", "Idempotency key reused"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What makes two requests the same request."""

    method: str
    path: str
    body_hash: str


@dataclass(slots=True)
class Claim:
    """A route's hold on its key for the length of its transaction (or no key at all)."""

    session: AsyncSession
    table: type[IdempotencyRecord]
    caller: str
    key: str | None
    fingerprint: Fingerprint | None
    replay: Response | None = None

    async def answer(
        self, status_code: int, body: BaseModel, *, headers: dict[str, str] | None = None
    ) -> Response:
        """The route's answer; a 2xx is also stored under the key, in the work's transaction."""
        response = JSONResponse(body.model_dump(mode="json"), status_code, headers)
        if self.key is not None and self.fingerprint is not None and 200 <= status_code < 300:
            await self._store(response)
        return response

    async def _store(self, response: Response) -> None:
        assert self.key is not None and self.fingerprint is not None
        kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        values: dict[str, Any] = {
            "request_method": self.fingerprint.method,
            "request_path": self.fingerprint.path,
            "request_hash": self.fingerprint.body_hash,
            "status": response.status_code,
            "body": bytes(response.body).decode(),
            "headers": kept,
            "created_at": func.now(),
        }
        # Upsert: an expired answer under this key may still be there (pruning is lazy).
        upsert = insert(self.table).values(caller=self.caller, key=self.key, **values)
        columns = upsert.excluded
        await self.session.exec(
            upsert.on_conflict_do_update(
                index_elements=["caller", "key"], set_={name: columns[name] for name in values}
            )
        )
        await _prune(self.session, self.table)  # last: it never waits, nor makes others wait on it


async def claim(
    session: AsyncSession,
    table: type[IdempotencyRecord],
    *,
    key: str | None,
    caller: str,
    request: Request,
) -> Claim:
    """Take the key for this request's transaction. `replay` is set when the key already has
    an answer for this same request. Raises 409 while another request holds the key, 422 when
    the key was used for another request. Without a key, a claim that stores nothing."""
    if key is None:
        return Claim(session, table, caller, None, None)
    fingerprint = await _fingerprint(request)
    if not await _try_lock(session, table, caller, key):
        raise RequestInFlight(
            "A request with this Idempotency-Key is still in progress; retry shortly.",
            headers={"Retry-After": "1"},
        )
    stored = await _fresh_answer(session, table, caller, key)
    replay = None if stored is None else _replay(stored, fingerprint)
    return Claim(session, table, caller, key, fingerprint, replay)


async def _fingerprint(request: Request) -> Fingerprint:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body_hash = hashlib.sha256(await request.body()).hexdigest()
    return Fingerprint(request.method, path, body_hash)


async def _try_lock(
    session: AsyncSession, table: type[IdempotencyRecord], caller: str, key: str
) -> bool:
    name = f"{table.__table__.fullname}\0{caller}\0{key}"  # type: ignore[attr-defined]
    lock_id = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    result = await session.exec(  # type: ignore[call-overload]
        text("SELECT pg_try_advisory_xact_lock(:lock_id)"), params={"lock_id": lock_id}
    )
    return bool(result.scalar_one())


async def _fresh_answer(
    session: AsyncSession, table: type[IdempotencyRecord], caller: str, key: str
) -> IdempotencyRecord | None:
    statement = select(table).where(
        col(table.caller) == caller,
        col(table.key) == key,
        col(table.created_at) > func.now() - KEPT_FOR,
    )
    return (await session.exec(statement)).one_or_none()


def _replay(stored: IdempotencyRecord, fingerprint: Fingerprint) -> Response:
    was = Fingerprint(stored.request_method, stored.request_path, stored.request_hash)
    if was != fingerprint:
        raise KeyReused(
            f"This Idempotency-Key was used for another request ({was.method} {was.path}"
            f"{' with another body' if was.path == fingerprint.path else ''}); "
            "use a new key for a new request.",
            field=f"header.{KEY_HEADER}",
        )
    headers = {**stored.headers, REPLAYED_HEADER: "true"}
    return Response(stored.body, stored.status, headers)


async def _prune(session: AsyncSession, table: type[IdempotencyRecord]) -> None:
    """Delete a few expired answers. SKIP LOCKED: rows another request is pruning or
    overwriting are left to it, so pruning never waits and never deadlocks."""
    expired = (
        core_select(col(table.caller), col(table.key))
        .where(col(table.created_at) <= func.now() - KEPT_FOR)
        .order_by(col(table.created_at))
        .limit(PRUNED_PER_ANSWER)
        .with_for_update(skip_locked=True)
    )
    pruning = delete(table).where(tuple_(col(table.caller), col(table.key)).in_(expired))
    await session.exec(pruning)
