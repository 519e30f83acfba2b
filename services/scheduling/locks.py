"""Transaction-scoped advisory locks on one schedule (a therapist's today; a patient's and a
room's when appointments come), so that writers of the same schedule take turns instead of
racing: a check and the write it allows happen with no other writer in between.

A request that needs several takes them in the order of `ScheduleKind` (therapist, patient,
room), so two requests can never wait on each other. The locks end with the transaction.
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
