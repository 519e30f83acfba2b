"""Free slots at one clinic, computed from plain values: no database, no clock, no I/O.

A therapist can take a visit starting at an instant when
- the clinic's clock then reads a time on the grid (every 15 minutes by default), and
- the whole visit, measured in real minutes, falls within one stretch of their hours at the
  clinic that day, within its opening hours, and overlaps nothing they are busy with.

Busy intervals come from the caller (`busy.py` gathers them: time off now; appointments and
holds as they are built), so this module never changes when a new kind of busy appears.
Hours are wall times of each local date; everything after is instants (`local_time.py`), so
the days the clocks change give exactly the slots their hours allow.
"""

import bisect
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.scheduling.local_time import first_instant_at, grid_instants


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """From `start` up to (not including) `end`, both aware."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Shift:
    """One stretch of a therapist's week at the clinic: `weekday` (0 = Monday), wall times."""

    therapist_id: uuid.UUID
    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True, slots=True)
class Clinic:
    slug: str
    zone: ZoneInfo
    opening: Mapping[int, Sequence[tuple[time, time]]]  # weekday -> (opens, closes) stretches


@dataclass(frozen=True, slots=True)
class VisitGrid:
    """What is being looked for: a visit of `length`, starting on the grid, not before
    `not_before` (now, or a later time asked for)."""

    length: timedelta
    step_minutes: int
    not_before: datetime


@dataclass(frozen=True, slots=True)
class Slot:
    """A free slot. `start` and `end` are UTC, so they compare as instants (two aware
    datetimes of one time zone compare by wall reading, which in a repeated hour misorders
    them); `local_start` and `local_end` are on the clinic's clock, with its offset."""

    start: datetime
    end: datetime
    therapist_id: uuid.UUID
    location: str
    zone: ZoneInfo

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.zone)


Busy = Mapping[uuid.UUID, Sequence[Interval]]  # therapist id -> busy intervals, any order


def free_slots(
    clinic: Clinic, shifts: Sequence[Shift], days: Iterable[date], grid: VisitGrid, busy: Busy
) -> list[Slot]:
    """Every free slot at the clinic on the given local dates, by start, then therapist."""
    merged = {therapist: merge(intervals) for therapist, intervals in busy.items()}
    found: list[Slot] = []
    for day in days:
        found.extend(_slots_of_day(clinic, shifts, day, grid, merged))
    return sorted(found, key=lambda slot: (slot.start, slot.therapist_id))


def _slots_of_day(
    clinic: Clinic,
    shifts: Sequence[Shift],
    day: date,
    grid: VisitGrid,
    busy: Mapping[uuid.UUID, list[Interval]],
) -> list[Slot]:
    working = [s for s in shifts if s.weekday == day.weekday()]
    if not working:
        return []
    opening = [_stretch(clinic.zone, day, o, c) for o, c in clinic.opening.get(day.weekday(), ())]
    starts = grid_instants(day, clinic.zone, grid.step_minutes)
    found = []
    for shift in working:
        at_work = intersect([_stretch(clinic.zone, day, shift.starts, shift.ends)], opening)
        for free in subtract(at_work, busy.get(shift.therapist_id, [])):
            for start in _fitting(starts, free, grid):
                slot = Slot(
                    start, start + grid.length, shift.therapist_id, clinic.slug, clinic.zone
                )
                found.append(slot)
    return found


def _stretch(zone: ZoneInfo, day: date, starts: time, ends: time) -> Interval:
    return Interval(first_instant_at(day, starts, zone), first_instant_at(day, ends, zone))


def _fitting(starts: Sequence[datetime], free: Interval, grid: VisitGrid) -> list[datetime]:
    """The grid instants at which a whole visit fits in `free` (and not before the limit)."""
    earliest = max(free.start, grid.not_before)
    first = bisect.bisect_left(starts, earliest)
    last = bisect.bisect_right(starts, free.end - grid.length)
    return starts[first:last]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The same time covered, as sorted intervals that neither overlap nor touch."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        elif interval.end > interval.start:
            merged.append(interval)
    return merged


def intersect(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """The time both cover."""
    found = []
    for a in first:
        for b in second:
            start, end = max(a.start, b.start), min(a.end, b.end)
            if start < end:
                found.append(Interval(start, end))
    return merge(found)


def subtract(free: Sequence[Interval], taken: list[Interval]) -> list[Interval]:
    """`free` less the time `taken` covers; `taken` merged (sorted, disjoint), so only the
    few that can overlap each free interval are looked at."""
    left = []
    for interval in free:
        cursor = interval.start
        first = bisect.bisect_right(taken, interval.start, key=lambda t: t.end)
        for busy in taken[first:]:
            if busy.start >= interval.end:
                break
            if busy.start > cursor:
                left.append(Interval(cursor, busy.start))
            cursor = max(cursor, busy.end)
        if cursor < interval.end:
            left.append(Interval(cursor, interval.end))
    return left
