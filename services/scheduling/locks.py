"""Transaction-scoped advisory locks on one schedule (a therapist's, a patient's, a room's), so
that writers of the same schedule take turns instead of racing: a check and the write it
allows happen with no other writer in between.

A request that needs several takes them in the order of `ScheduleKind` (therapist, patient,
room), so two requests can never wait on each other. Row locks fit around them in one order
too: a hold's row before them (confirming a hold, accepting a wait-list offer), an
appointment's row after them (a reschedule; a cancellation, which first locks the schedules
its time will be offered on). The locks end with the transaction.
"""

import hashlib
import uuid
from typing import Literal

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

ScheduleKind = Literal["therapist", "patient", "room"]


async def lock_schedule(session: AsyncSession, kind: ScheduleKind, key: uuid.UUID | str) -> None:
    """Wait for, then hold until commit or rollback, the lock on one schedule."""
    name = f"scheduling\0{kind}\0{key}"
    lock_id = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    await session.exec(  # type: ignore[call-overload]
        text("SELECT pg_advisory_xact_lock(:lock_id)"), params={"lock_id": lock_id}
    )


async def lock_visit_schedules(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    patient_id: uuid.UUID | None,
    location: str,
    room: str | None,
) -> None:
    """The locks a booking (or a move) of one visit, or a hold of its time, needs, in the
    fixed order (a hold may name no patient yet: then none of a patient's). Two visits
    can only clash on a therapist, a patient or a room they share, so clashing writers
    always meet at one of these locks and go one at a time: the exclusion constraints then
    refuse the loser at once, instead of racing inserts waiting on each other (which
    PostgreSQL may end as a deadlock)."""
    await lock_schedule(session, "therapist", therapist_id)
    if patient_id is not None:
        await lock_schedule(session, "patient", patient_id)
    if room is not None:
        await lock_schedule(session, "room", f"{location}\0{room}")
