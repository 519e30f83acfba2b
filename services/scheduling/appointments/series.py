"""Booking a series: a plan's visits on chosen weekdays at one time of the clinic's clock, in
one request. Functions flush; the request's session commits.

The dates: each of `weekdays` from `first_date` on, `count` of them or up to `last_date`
(with a plan and neither, the plan's visits a week times its weeks), at most 100. The shape
is checked before any other service is asked; the other services are asked once for the
whole series (the route), never per visit.

Then, in one transaction, the schedule locks of the therapist, the patient and the room are
taken once (every visit shares them), and each date is booked by `service.book_visit`, the
function a single booking calls: each visit is checked exactly as a booking is (the start,
the clinic's and the therapist's hours, time off, the clash, the plan's certification and
authorization, counting the plan's live visits, this series' earlier ones among them).
A date that fails does not stop the others being tried, so the answer names every failing
date, each with up to three free slots near it (`alternatives.py`; looked for once every
date was tried, so no time the series itself takes is offered, and for a plan's visits only
on dates the plan covers). All or nothing by default: any failure answers 409 and the
transaction rolls back, keeping only the refusal's audit row; `partial` keeps what fits
(409 still if nothing does). The visits share a new `series_id`.
"""

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import PROBLEM_BASE, Conflict, InvalidInput, Problem
from services.scheduling import audit
from services.scheduling.appointments import times
from services.scheduling.appointments.alternatives import Wanted, nearest_free
from services.scheduling.appointments.plan_checks import check_plan_open, plan_dates
from services.scheduling.appointments.reads import appointment_read
from services.scheduling.appointments.schemas import (
    MAX_SERIES,
    AppointmentBooked,
    BookingWarning,
    SeriesBooked,
    SeriesCreate,
    SeriesFailure,
)
from services.scheduling.appointments.service import (
    Rules,
    Visit,
    book_visit,
    clinic_of,
    kind_of,
    lock_schedules,
)
from services.scheduling.availability.schemas import SlotRead
from services.scheduling.availability.slots import Interval
from services.scheduling.clients import PlanRef
from services.scheduling.local_time import dates_between, reading_at
from services.scheduling.models import Appointment, AppointmentType, Location

MAX_SPAN = timedelta(days=366)
COUNT, LAST, FIRST = "body.count", "body.last_date", "body.first_date"
SERIES = "appointment_series"  # the audit trail's name for a series


@dataclass(frozen=True, slots=True)
class Missed:
    """A visit of the series that could not be booked, and the refusal booking it alone
    would have had."""

    visit: Visit
    problem: Problem


# -- the dates -----------------------------------------------------------------------------------


def check_request(data: SeriesCreate) -> None:
    """What the request alone must get right (before other services are asked): one end,
    count or last_date (or a plan to take the count from), and a last_date within a year."""
    if data.count is not None and data.last_date is not None:
        why = "Give count or last_date, not both."
        raise InvalidInput(why, errors=[_error(COUNT, why), _error(LAST, why)])
    if data.count is None and data.last_date is None and data.plan_id is None:
        raise InvalidInput(
            "Give count or last_date (or a plan_id, to book the plan's whole course).",
            field=COUNT,
            kind="missing",
        )
    if data.last_date is not None and data.last_date < data.first_date:
        raise InvalidInput("last_date is before first_date.", field=LAST)
    if data.last_date is not None and data.last_date - data.first_date > MAX_SPAN:
        raise InvalidInput("A series spans at most a year: end it sooner.", field=LAST)


def series_dates(data: SeriesCreate, plan: PlanRef | None) -> list[date]:
    """The local dates of the series, earliest first."""
    weekdays = set(data.weekdays)
    if data.last_date is None:
        return _first_dates(data.first_date, weekdays, data.count or _course_of(plan))
    days = [d for d in dates_between(data.first_date, data.last_date) if d.weekday() in weekdays]
    if not days:
        raise InvalidInput("None of the weekdays falls from first_date to last_date.", field=LAST)
    if len(days) > MAX_SERIES:
        raise InvalidInput(
            f"From first_date to last_date the weekdays give {len(days)} visits: a series "
            f"holds at most {MAX_SERIES}. Choose an earlier last_date.",
            field=LAST,
        )
    return days


def _first_dates(first: date, weekdays: set[int], count: int) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def _course_of(plan: PlanRef | None) -> int:
    """The visits of the plan's whole course: its visits a week times its weeks."""
    if plan is None or plan.frequency_per_week is None or plan.duration_weeks is None:
        raise InvalidInput(
            "The plan gives no frequency and duration: give count or last_date.",
            field=COUNT,
            kind="missing",
        )
    course = plan.frequency_per_week * plan.duration_weeks
    if course > MAX_SERIES:
        raise InvalidInput(
            f"The plan's {plan.frequency_per_week} visits a week for {plan.duration_weeks} "
            f"weeks make {course} visits: a series holds at most {MAX_SERIES}. Give a count "
            "or a last_date.",
            field=COUNT,
        )
    return course


def _error(field: str, why: str) -> dict[str, object]:
    return {"loc": field.split("."), "msg": why, "type": "value_error"}


# -- booking -------------------------------------------------------------------------------------


async def book_series(
    session: AsyncSession,
    *,
    data: SeriesCreate,
    plan: PlanRef | None,
    rules: Rules,
    caller: Caller,
    origin: audit.Origin,
) -> SeriesBooked:
    """Book each date as a single booking would be; 409 listing every failing date with
    its alternatives, unless `partial` (then only when nothing could be booked)."""
    clinic = await clinic_of(session, data.location)
    kind = await kind_of(session, data.type)
    series_id = uuid.uuid4()
    visits = _visits(data, series_id, clinic, kind, plan, rules)
    await lock_schedules(session, visits[0])  # one therapist, patient and room: every visit's
    booked, missed = await _each_booked(session, visits, kind, rules, caller, origin)
    failures = await _failures(session, missed, data=data, plan=plan, clinic=clinic, rules=rules)
    if failures and not (data.partial and booked):
        raise _refusal(failures, total=len(visits), partial=data.partial)
    await _record(session, data, series_id, booked, failures, caller=caller, origin=origin)
    zone = ZoneInfo(clinic.time_zone)
    answers = [
        AppointmentBooked(**dict(appointment_read(appointment, zone)), warnings=warnings)
        for appointment, warnings in booked
    ]
    return SeriesBooked(series_id=series_id, booked=answers, failures=failures)


async def _each_booked(
    session: AsyncSession,
    visits: list[Visit],
    kind: AppointmentType,
    rules: Rules,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[list[tuple[Appointment, list[BookingWarning]]], list[Missed]]:
    """Each visit booked as a single one is, or missed with the refusal it would have had."""
    booked: list[tuple[Appointment, list[BookingWarning]]] = []
    missed: list[Missed] = []
    for visit in visits:
        try:
            booked.append(
                await book_visit(session, visit, kind, rules=rules, caller=caller, origin=origin)
            )
        except Problem as problem:
            if not 400 <= problem.status < 500:
                raise
            missed.append(Missed(visit, problem))
    return booked, missed


def _visits(
    data: SeriesCreate,
    series_id: uuid.UUID,
    clinic: Location,
    kind: AppointmentType,
    plan: PlanRef | None,
    rules: Rules,
) -> list[Visit]:
    """Every visit of the series, after what holds for all of them alike: a time on the
    grid, a first date from today to two years ahead, the room, the plan open to booking."""
    at = _on_grid(data.time, rules.step_minutes)
    zone = ZoneInfo(clinic.time_zone)
    _check_first_date(data.first_date, zone, rules)
    times.check_room(clinic, data.room)
    if plan is not None:
        check_plan_open(plan, patient_id=data.patient_id)
    length = timedelta(minutes=kind.duration_minutes)
    visits = []
    for day in series_dates(data, plan):
        start = reading_at(day, at, zone)
        when = Interval(start, start + length)
        people = (data.patient_id, data.therapist_id)
        visits.append(Visit(*people, clinic, data.room, when, plan, series_id=series_id))
    return visits


def _on_grid(wall: str, step_minutes: int) -> time:
    at = time.fromisoformat(wall)
    if at.minute % step_minutes:
        raise InvalidInput(
            f"Visits start on the clinic's {step_minutes}-minute grid ({wall} is off it).",
            field="body.time",
        )
    return at


def _check_first_date(first: date, zone: ZoneInfo, rules: Rules) -> None:
    today = rules.now.astimezone(zone).date()
    if first < today:
        raise InvalidInput(f"first_date is past: today is {today} at the clinic.", field=FIRST)
    if first > (rules.now + times.BOOKABLE_AHEAD).astimezone(zone).date():
        raise InvalidInput("Visits are booked at most two years ahead.", field=FIRST)


async def _failures(
    session: AsyncSession,
    missed: list[Missed],
    *,
    data: SeriesCreate,
    plan: PlanRef | None,
    clinic: Location,
    rules: Rules,
) -> list[SeriesFailure]:
    if not missed:
        return []
    dates = plan_dates(plan) if plan is not None else None
    wanted = Wanted(clinic.slug, data.type, data.therapist_id, ZoneInfo(clinic.time_zone), dates)
    starts = [m.visit.when.start for m in missed]
    offered = await nearest_free(
        session, starts, wanted=wanted, step_minutes=rules.step_minutes, now=rules.now
    )
    return [_failure(m, slots) for m, slots in zip(missed, offered, strict=True)]


def _failure(missed: Missed, alternatives: list[SlotRead]) -> SeriesFailure:
    start, problem = missed.visit.when.start, missed.problem
    return SeriesFailure(
        date=start.date(),  # the reading on the clinic's clock: its local date
        start=start,
        status=problem.status,
        type=PROBLEM_BASE + problem.type_slug,
        reason=problem.detail,
        clashes_with=problem.extensions.get("clashes_with"),
        alternatives=alternatives,
    )


def _refusal(failures: list[SeriesFailure], *, total: int, partial: bool) -> Conflict:
    first = failures[0]
    if partial:
        lead = f"None of the series' {total} visits can be booked"
    else:
        lead = f"{len(failures)} of the series' {total} visits cannot be booked, so none was"
    return Conflict(
        f"{lead} (each failing date, why, and the free slots nearest it are under "
        f"`failures`). The first: {first.date}: {first.reason}",
        failures=[failure.model_dump(mode="json") for failure in failures],
    )


async def _record(
    session: AsyncSession,
    data: SeriesCreate,
    series_id: uuid.UUID,
    booked: list[tuple[Appointment, list[BookingWarning]]],
    failures: list[SeriesFailure],
    *,
    caller: Caller,
    origin: audit.Origin,
) -> None:
    """The series' own audit row (each visit has its own `appointment.book` row too)."""
    await audit.record(
        session,
        action="appointment.book_series",
        caller=caller,
        origin=origin,
        patient_id=data.patient_id,
        entity=(SERIES, series_id),
        detail={
            "booked": [str(appointment.id) for appointment, _ in booked],
            "failed": [str(failure.date) for failure in failures],
            "partial": data.partial,
        },
    )
