"""What keeps therapists from taking a visit, as intervals per therapist: the one place the
availability search learns it. Time off and live appointments (booked, checked in,
completed: what the exclusion constraints hold) today; live holds join as a source here when
they are built, and `slots.py` needs no change for them.

A source answers, for some therapists and a window of time, every interval that
overlaps the window, each with its therapist. The search asks each source once per window.
"""

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.availability.slots import Interval
from services.scheduling.models import LIVE_STATUSES, Appointment, TimeOff

BusySource = Callable[
    [AsyncSession, Collection[uuid.UUID], Interval], Awaitable[Iterable[tuple[uuid.UUID, Interval]]]
]


async def time_off(
    session: AsyncSession, therapist_ids: Collection[uuid.UUID], window: Interval
) -> list[tuple[uuid.UUID, Interval]]:
    """Time off overlapping the window (the exclusion constraint's index serves it)."""
    statement = select(TimeOff.therapist_id, TimeOff.starts_at, TimeOff.ends_at).where(
        col(TimeOff.therapist_id).in_(therapist_ids),
        func.tstzrange(TimeOff.starts_at, TimeOff.ends_at).op("&&")(
            func.tstzrange(window.start, window.end)
        ),
    )
    rows = (await session.exec(statement)).all()
    return [(therapist, Interval(start, end)) for therapist, start, end in rows]


async def appointments(
    session: AsyncSession, therapist_ids: Collection[uuid.UUID], window: Interval
) -> list[tuple[uuid.UUID, Interval]]:
    """Live appointments overlapping the window. Said as two comparisons rather than as
    overlapping ranges, so that `ix_appointment_therapist_id_ends_at` answers it from the
    visits ending after the window starts: given the ranges, PostgreSQL could pick an
    exclusion constraint's index that walks the clinic's whole history (bench/README.md,
    availability-month)."""
    during = func.tstzrange(Appointment.starts_at, Appointment.ends_at)
    # Visits back to back come as one stretch: a full day is a few rows, not a dozen. Each
    # is the driver's own range (`lower`, `upper`): typed, SQLAlchemy would copy it anew.
    stretches = func.unnest(func.range_agg(during))
    statement = (
        select(Appointment.therapist_id, stretches)
        .where(
            col(Appointment.therapist_id).in_(therapist_ids),
            col(Appointment.status).in_(LIVE_STATUSES),
            col(Appointment.starts_at) < window.end,
            col(Appointment.ends_at) > window.start,
        )
        .group_by(col(Appointment.therapist_id))
    )
    rows = (await session.exec(statement)).all()
    return [(therapist, Interval(stretch.lower, stretch.upper)) for therapist, stretch in rows]


SOURCES: tuple[BusySource, ...] = (time_off, appointments)


async def busy_times(
    session: AsyncSession,
    *,
    therapist_ids: Collection[uuid.UUID],
    window: Interval,
    sources: Iterable[BusySource] = SOURCES,
) -> dict[uuid.UUID, list[Interval]]:
    """Every busy interval of these therapists overlapping the window, from every source."""
    busy: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    if not therapist_ids:
        return busy
    for source in sources:
        for therapist, interval in await source(session, therapist_ids, window):
            busy[therapist].append(interval)
    return busy
