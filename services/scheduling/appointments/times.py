"""When a visit may be booked: a start in the future, on the clinic's grid, at a wall time
its clock shows (not in the hour it skips when the clocks go forward), and the whole visit
within the clinic's opening hours that day, within the therapist's hours there and clear of
their time off. The two checks that read the therapist's hours and time off run under the
therapist's schedule lock, so a week replaced or time off added meanwhile is seen.

Wall times become instants with `local_time.py`, as the availability search does, so that a
slot the search offers is a slot a booking accepts, on the days the clocks change too.
"""

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import Conflict, InvalidInput
from services.scheduling.availability.slots import Interval
from services.scheduling.local_time import first_instant_at, instants_at
from services.scheduling.models import Location, TherapistHours, TimeOff
from services.scheduling.opening import opening_stretches
from services.scheduling.therapists.week import WEEKDAYS

BOOKABLE_AHEAD = timedelta(days=730)
FIELD = "body.start"


def check_start(start: datetime, *, zone: ZoneInfo, now: datetime, step_minutes: int) -> None:
    """422 for a start in the past, more than two years ahead, at a skipped wall time, or
    off the grid of the clinic's clock."""
    if start <= now:
        raise InvalidInput("The visit would start in the past; choose a later time.", field=FIELD)
    if start > now + BOOKABLE_AHEAD:
        raise InvalidInput("Visits are booked at most two years ahead.", field=FIELD)
    if _skipped(start, zone):
        raise InvalidInput(_skipped_message(start), field=FIELD)
    local = start.astimezone(zone)
    if local.minute % step_minutes or local.second or local.microsecond:
        raise InvalidInput(
            f"Visits start on the clinic's {step_minutes}-minute grid ({local:%H:%M:%S} is "
            "off it).",
            field=FIELD,
        )


def _skipped(start: datetime, zone: ZoneInfo) -> bool:
    """Whether the start names, on the clinic's own offsets, a wall time the clinic's clock
    jumps over: 02:30 on the morning the clocks go forward, written -05:00 or -04:00, is a
    time nobody at the clinic ever reads. (A start given at another offset, such as UTC,
    names its instant plainly.)"""
    wall = start.replace(tzinfo=None)
    if instants_at(wall.date(), wall.time(), zone):
        return False
    return start.utcoffset() in {zone.utcoffset(wall.replace(fold=fold)) for fold in (0, 1)}


def _skipped_message(start: datetime) -> str:
    return (
        f"{start:%H:%M} on {start:%Y-%m-%d} does not exist on the clinic's clock: the clocks "
        "go forward over it. Choose a time before or after the change."
    )


def check_room(clinic: Location, room: str | None) -> None:
    if room is not None and room not in clinic.rooms:
        rooms = ", ".join(clinic.rooms) or "none"
        raise InvalidInput(
            f"{clinic.name} has no room {room!r} (its rooms: {rooms}).", field="body.room"
        )


def check_opening_hours(clinic: Location, visit: Interval) -> None:
    zone = ZoneInfo(clinic.time_zone)
    day = visit.start.astimezone(zone).date()
    hours = opening_stretches(clinic).get(day.weekday(), [])
    if not _within(visit, _instants(hours, day, zone)):
        opening = f"is open {_listed(hours)}" if hours else "is closed"
        raise InvalidInput(
            f"{clinic.name} {opening} on {WEEKDAYS[day.weekday()]}s: the visit "
            f"({_span(visit, zone)}) falls outside.",
            field=FIELD,
        )


async def check_therapist_hours(
    session: AsyncSession, clinic: Location, therapist_id: uuid.UUID, visit: Interval
) -> None:
    """422 unless the whole visit falls in one stretch of the therapist's week there."""
    zone = ZoneInfo(clinic.time_zone)
    day = visit.start.astimezone(zone).date()
    statement = select(TherapistHours.starts, TherapistHours.ends).where(
        col(TherapistHours.therapist_id) == therapist_id,
        col(TherapistHours.location_id) == clinic.id,
        col(TherapistHours.weekday) == day.weekday(),
    )
    hours = [(starts, ends) for starts, ends in (await session.exec(statement)).all()]
    if not _within(visit, _instants(hours, day, zone)):
        works = f"works {_listed(hours)}" if hours else "does not work"
        raise InvalidInput(
            f"The therapist {works} at {clinic.name} on {WEEKDAYS[day.weekday()]}s: the visit "
            f"({_span(visit, zone)}) falls outside.",
            field=FIELD,
        )


async def check_time_off(session: AsyncSession, therapist_id: uuid.UUID, visit: Interval) -> None:
    statement = select(TimeOff).where(
        col(TimeOff.therapist_id) == therapist_id,
        func.tstzrange(TimeOff.starts_at, TimeOff.ends_at).op("&&")(
            func.tstzrange(visit.start, visit.end)
        ),
    )
    away = (await session.exec(statement)).first()
    if away is not None:
        raise Conflict(
            f"The therapist is away from {away.starts_at.astimezone(UTC):%Y-%m-%d %H:%M} to "
            f"{away.ends_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC.",
            clashes_with=str(away.id),
        )


def _instants(hours: Iterable[tuple[time, time]], day: date, zone: ZoneInfo) -> list[Interval]:
    return [
        Interval(first_instant_at(day, starts, zone), first_instant_at(day, ends, zone))
        for starts, ends in hours
    ]


def _within(visit: Interval, stretches: Iterable[Interval]) -> bool:
    return any(s.start <= visit.start and visit.end <= s.end for s in stretches)


def _listed(hours: Iterable[tuple[time, time]]) -> str:
    return ", ".join(f"{starts:%H:%M}-{ends:%H:%M}" for starts, ends in sorted(hours))


def _span(visit: Interval, zone: ZoneInfo) -> str:
    return f"{visit.start.astimezone(zone):%H:%M} to {visit.end.astimezone(zone):%H:%M}"
