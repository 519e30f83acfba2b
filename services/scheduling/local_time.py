"""A clinic's wall clock and the instants its readings name, the days the clocks change too.

Hours are wall times ("Mondays 08:00 to 12:00 in America/New_York"); a slot, a time off or
an appointment is an instant. Most days each wall time names one instant. The day the clocks
go forward (8 March 2026 there) the readings 02:00 to 02:59 name none: they are skipped. The
day they go back (1 November 2026) 01:00 to 01:59 name two, an hour apart, each a real
moment with its own offset (-04:00, then -05:00).

Lengths are added to instants, never to wall times: Python adds a timedelta to an aware
datetime on its wall clock, which across a change is an hour off.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)


def instants_at(day: date, wall: time, zone: ZoneInfo) -> list[datetime]:
    """Each instant (UTC, earliest first) at which the clock in `zone` reads `wall` on `day`:
    none in a skipped hour, two in a repeated one, else one."""
    reading = datetime.combine(day, wall)
    found: list[datetime] = []
    for fold in (0, 1):
        moment = reading.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if _wall_reading(moment, zone) == reading and moment not in found:
            found.append(moment)
    return sorted(found)


@lru_cache(maxsize=16384)
def first_instant_at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """Where a stretch of hours that starts or ends at `wall` on `day` starts or ends: the
    first time the clock reads it (the first of two in a repeated hour), or, when the clocks
    jump over it, the jump itself."""
    found = instants_at(day, wall, zone)
    return found[0] if found else _jump_over(datetime.combine(day, wall), zone)


@lru_cache(maxsize=4096)
def grid_instants(day: date, zone: ZoneInfo, step_minutes: int) -> tuple[datetime, ...]:
    """Every instant of `day` at which the clock reads a multiple of `step_minutes` past
    midnight, earliest first: a skipped hour has none, a repeated hour has each twice.
    Cached: every search of the same days asks again."""
    moments: list[datetime] = []
    for minute in range(0, 24 * 60, step_minutes):
        moments.extend(instants_at(day, time(minute // 60, minute % 60), zone))
    return tuple(sorted(moments))


def reading_at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The clock in `zone` reading `wall` on `day`, with the offset it shows then: the first
    of the two readings in a repeated hour. In a skipped hour, the reading with the offset
    before the jump, which names no moment the clinic's clock shows (a booking refuses it)."""
    found = instants_at(day, wall, zone)
    reading = datetime.combine(day, wall)
    offset = found[0].astimezone(zone).utcoffset() if found else zone.utcoffset(reading)
    assert offset is not None
    return reading.replace(tzinfo=timezone(offset))


def day_span(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of local day `first` to the start of the day after `last`."""
    return first_instant_at(first, MIDNIGHT, zone), first_instant_at(
        last + timedelta(days=1), MIDNIGHT, zone
    )


def dates_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _wall_reading(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _jump_over(reading: datetime, zone: ZoneInfo) -> datetime:
    """The instant the clocks jumped over `reading`: the first whole second at which they
    read it or later. Read with the offset after the jump, `reading` falls before it; with
    the offset before, after it; the jump is found between the two by halving."""
    low = int(reading.replace(tzinfo=zone, fold=1).timestamp())
    high = int(reading.replace(tzinfo=zone, fold=0).timestamp())
    low, high = min(low, high), max(low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if _wall_reading(datetime.fromtimestamp(middle, UTC), zone) >= reading:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)
