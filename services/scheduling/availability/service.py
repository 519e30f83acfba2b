"""The availability search: loads hours, clinics and busy times, and hands them to
`slots.py`. Read only; no other service is asked.

Slots already begun are not offered; a range is at most 31 local days. `/next` searches the
chosen clinics a week at a time, up to 62 days ahead, and stops as soon as the earliest
`limit` slots are settled: no later week can hold an earlier slot.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import InvalidInput
from services.scheduling.availability.busy import busy_times
from services.scheduling.availability.schemas import AvailabilityRead, NextSlotsRead, SlotRead
from services.scheduling.availability.slots import (
    Clinic,
    Interval,
    Shift,
    Slot,
    VisitGrid,
    free_slots,
)
from services.scheduling.local_time import dates_between, day_span
from services.scheduling.models import AppointmentType, Location, TherapistHours
from services.scheduling.opening import opening_stretches

MAX_RANGE_DAYS = 31
NEXT_SEARCH_DAYS = 62
NEXT_STEP_DAYS = 7
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class SlotSearch:
    """`GET /v1/availability`: one clinic, one kind of visit, local dates `first` to `last`."""

    location: str
    kind: str
    first: date
    last: date
    therapist_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class NextSearch:
    """`GET /v1/availability/next`: the first `limit` slots at or after `after`."""

    kind: str
    after: datetime
    locations: Sequence[str] | None = None  # None: every clinic
    therapist_id: uuid.UUID | None = None
    limit: int = 10


async def availability(
    session: AsyncSession, *, search: SlotSearch, step_minutes: int, now: datetime
) -> AvailabilityRead:
    _check_range(search.first, search.last)
    (site,) = await _clinics(session, [search.location], field="query.location")
    kind = await _kind(session, search.kind)
    shifts = await _shifts(session, [site.id], search.therapist_id)
    clinic = _clinic(site)
    grid = VisitGrid(timedelta(minutes=kind.duration_minutes), step_minutes, now)
    window = Interval(*day_span(search.first, search.last, clinic.zone))
    busy = await busy_times(session, therapist_ids=_therapists(shifts), window=window, now=now)
    days = dates_between(search.first, search.last)
    slots = free_slots(clinic, shifts[site.id], days, grid, busy)
    return AvailabilityRead(
        location=site.slug,
        type=kind.slug,
        time_zone=site.time_zone,
        duration_minutes=kind.duration_minutes,
        slot_minutes=step_minutes,
        slots=[_read(slot) for slot in slots],
    )


async def next_free(
    session: AsyncSession, *, search: NextSearch, step_minutes: int, now: datetime
) -> NextSlotsRead:
    _check_year(search.after, field="query.after")
    sites = await _clinics(session, search.locations, field="query.locations")
    kind = await _kind(session, search.kind)
    shifts = await _shifts(session, [s.id for s in sites], search.therapist_id)
    grid = VisitGrid(timedelta(minutes=kind.duration_minutes), step_minutes, max(now, search.after))
    clinics = {site.id: _clinic(site) for site in sites}
    found: list[Slot] = []
    for offset in range(0, NEXT_SEARCH_DAYS, NEXT_STEP_DAYS):
        days = {site: _days_from(grid.not_before, c.zone, offset) for site, c in clinics.items()}
        found += await _step_of_slots(session, clinics, shifts, days, grid, now)
        # No later step can hold a slot before the earliest local midnight ending this one.
        settled_until = min(_span(clinics[site], dates)[1] for site, dates in days.items())
        settled = sorted((s for s in found if s.start < settled_until), key=_order)
        if len(settled) >= search.limit:
            break
    return NextSlotsRead(
        type=kind.slug,
        duration_minutes=kind.duration_minutes,
        slot_minutes=step_minutes,
        searched_until=settled_until,
        slots=[_read(slot) for slot in settled[: search.limit]],
    )


async def _step_of_slots(
    session: AsyncSession,
    clinics: dict[uuid.UUID, Clinic],
    shifts: dict[uuid.UUID, list[Shift]],
    days: dict[uuid.UUID, list[date]],
    grid: VisitGrid,
    now: datetime,
) -> list[Slot]:
    """The free slots of one step of the search at every clinic: one busy query per source
    for all (holds as they stand `now`)."""
    spans = [_span(clinics[site], dates) for site, dates in days.items()]
    window = Interval(min(s for s, _ in spans), max(e for _, e in spans))
    busy = await busy_times(session, therapist_ids=_therapists(shifts), window=window, now=now)
    found: list[Slot] = []
    for site, clinic in clinics.items():
        found += free_slots(clinic, shifts[site], days[site], grid, busy)
    return found


def _span(clinic: Clinic, dates: list[date]) -> tuple[datetime, datetime]:
    return day_span(dates[0], dates[-1], clinic.zone)


def _days_from(moment: datetime, zone: ZoneInfo, offset: int) -> list[date]:
    first = moment.astimezone(zone).date() + timedelta(days=offset)
    return dates_between(first, first + timedelta(days=NEXT_STEP_DAYS - 1))


# -- loading -------------------------------------------------------------------------------------


async def _clinics(
    session: AsyncSession, slugs: Sequence[str] | None, *, field: str
) -> list[Location]:
    """The clinics named (every clinic for None), by name; 422 naming an unknown slug."""
    statement = select(Location).order_by(col(Location.name))
    if slugs is not None:
        statement = statement.where(col(Location.slug).in_(slugs))
    found = list((await session.exec(statement)).all())
    unknown = sorted(set(slugs or ()) - {site.slug for site in found})
    if unknown:
        raise InvalidInput(f"No clinic has the slug {unknown[0]!r}.", field=field)
    return found


async def _kind(session: AsyncSession, slug: str) -> AppointmentType:
    statement = select(AppointmentType).where(col(AppointmentType.slug) == slug)
    kind = (await session.exec(statement)).one_or_none()
    if kind is None:
        raise InvalidInput(f"No appointment type has the slug {slug!r}.", field="query.type")
    return kind


async def _shifts(
    session: AsyncSession, location_ids: Sequence[uuid.UUID], therapist_id: uuid.UUID | None
) -> dict[uuid.UUID, list[Shift]]:
    """Location id -> the weekly stretches worked there (of one therapist, if given)."""
    statement = select(TherapistHours).where(col(TherapistHours.location_id).in_(location_ids))
    if therapist_id is not None:
        statement = statement.where(col(TherapistHours.therapist_id) == therapist_id)
    shifts: dict[uuid.UUID, list[Shift]] = defaultdict(list)
    for hours in (await session.exec(statement)).all():
        shift = Shift(hours.therapist_id, hours.weekday, hours.starts, hours.ends)
        shifts[hours.location_id].append(shift)
    return shifts


def _clinic(site: Location) -> Clinic:
    return Clinic(site.slug, ZoneInfo(site.time_zone), opening_stretches(site))


def _therapists(shifts: dict[uuid.UUID, list[Shift]]) -> set[uuid.UUID]:
    return {shift.therapist_id for stretches in shifts.values() for shift in stretches}


# -- checks and answers --------------------------------------------------------------------------


def _check_range(first: date, last: date) -> None:
    for name, day in (("from", first), ("to", last)):
        _check_year(datetime.combine(day, time()), field=f"query.{name}")
    if last < first:
        raise InvalidInput("to must be on or after from.", field="query.to")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(
            f"A search spans at most {MAX_RANGE_DAYS} days; ask for a shorter range.",
            field="query.to",
        )


def _check_year(moment: datetime, *, field: str) -> None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidInput(
            f"Dates must fall between the years {FIRST_YEAR} and {LAST_YEAR}.", field=field
        )


def _order(slot: Slot) -> tuple[datetime, str, uuid.UUID]:
    return slot.start, slot.location, slot.therapist_id


def _read(slot: Slot) -> SlotRead:
    return SlotRead(
        start=slot.local_start,
        end=slot.local_end,
        therapist_id=slot.therapist_id,
        location=slot.location,
    )
