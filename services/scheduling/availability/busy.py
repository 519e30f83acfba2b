"""What keeps therapists from taking a visit, as intervals per therapist: the one place the
availability search learns it. Time off, live appointments (booked, checked in, completed:
what the exclusion constraints hold) and live holds (held and not yet expired at the
search's `now`); `slots.py` knows none of them apart.

A source answers, for some therapists and a window of time, every interval that
overlaps the window, each with its therapist. The search asks each source once per window.
"""

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.availability.slots import Interval
from services.scheduling.holds.blocking import live
from services.scheduling.models import LIVE_STATUSES, Appointment, Hold, TimeOff

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


def live_holds(now: datetime) -> BusySource:
    """Holds still blocking their time at `now` (an expired one blocks nothing)."""

    async def held(
        session: AsyncSession, therapist_ids: Collection[uuid.UUID], window: Interval
    ) -> list[tuple[uuid.UUID, Interval]]:
        statement = select(Hold.therapist_id, Hold.starts_at, Hold.ends_at).where(
            col(Hold.therapist_id).in_(therapist_ids),
            live(now),
            func.tstzrange(Hold.starts_at, Hold.ends_at).op("&&")(
                func.tstzrange(window.start, window.end)
            ),
        )
        rows = (await session.exec(statement)).all()
        return [(therapist, Interval(start, end)) for therapist, start, end in rows]

    return held


def sources_at(now: datetime) -> tuple[BusySource, ...]:
    return (time_off, appointments, live_holds(now))


async def busy_times(
    session: AsyncSession,
    *,
    therapist_ids: Collection[uuid.UUID],
    window: Interval,
    now: datetime,
    sources: Iterable[BusySource] | None = None,
) -> dict[uuid.UUID, list[Interval]]:
    """Every busy interval of these therapists overlapping the window, from every source
    (`sources_at(now)` unless told)."""
    busy: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    if not therapist_ids:
        return busy
    for source in sources if sources is not None else sources_at(now):
        for therapist, interval in await source(session, therapist_ids, window):
            busy[therapist].append(interval)
    return busy
