"""The free slots nearest a visit that could not be booked: the same therapist, clinic and
kind of visit, within seven days either side of the start asked for, nearest first, and on
a date the plan covers (for a plan's visit). They
come from the availability search (`availability/service.py`), so a slot offered here is
one the search offers and a booking accepts; no slot maths of its own.

Several visits of one series are served by one search when their fortnights fit in one
range the search allows (31 days): a year of failing Mondays costs about a search a month.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.availability.schemas import SlotRead
from services.scheduling.availability.service import MAX_RANGE_DAYS, SlotSearch, availability

NEAR = timedelta(days=7)
OFFERED = 3


@dataclass(frozen=True, slots=True)
class Wanted:
    """Whom and what the alternatives are for, at the clinic in `zone`; `dates`: the first
    and last local date they may fall on (the plan's), if limited."""

    location: str
    kind: str
    therapist_id: uuid.UUID
    zone: ZoneInfo
    dates: tuple[date, date] | None = None


async def nearest_free(
    session: AsyncSession,
    starts: Sequence[datetime],
    *,
    wanted: Wanted,
    step_minutes: int,
    now: datetime,
) -> list[list[SlotRead]]:
    """For each start (earliest first), up to three free slots nearest it, nearest first;
    never the start itself."""
    found: list[list[SlotRead]] = []
    slots: list[SlotRead] = []
    searched_to: date | None = None
    for start in starts:
        day = start.astimezone(wanted.zone).date()
        if searched_to is None or day + NEAR > searched_to:
            first = day - NEAR
            searched_to = first + timedelta(days=MAX_RANGE_DAYS - 1)
            search = SlotSearch(
                wanted.location, wanted.kind, first, searched_to, wanted.therapist_id
            )
            read = await availability(session, search=search, step_minutes=step_minutes, now=now)
            slots = [slot for slot in read.slots if _on_dates(slot, wanted.dates)]
        found.append(_nearest(slots, start))
    return found


def _on_dates(slot: SlotRead, dates: tuple[date, date] | None) -> bool:
    return dates is None or dates[0] <= slot.start.date() <= dates[1]  # its local date


def _nearest(slots: list[SlotRead], start: datetime) -> list[SlotRead]:
    near = [s for s in slots if s.start != start and abs(s.start - start) <= NEAR]
    near.sort(key=lambda s: (abs(s.start - start), s.start.timestamp()))
    return near[:OFFERED]
