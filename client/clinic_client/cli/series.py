"""`clinic series`: a course of visits booked in one request, on chosen weekdays at one time
of the clinic's clock (the front desk).

With `--plan`, the patient, the therapist and the clinic come from the plan of care, and so
does the length of the course when neither `--count` nor `--until` says: the plan's visits a
week times its weeks, as many of them as fall on the chosen days before its certification
ends (a plan that began last week has fewer visits left to book, and a visit past the
certification would only be refused). The first day is by default the first one ahead: the
plan's certification start while that is to come, else the clinic's today, or tomorrow once
the time has passed today.

All or nothing unless `--partial`: when one date cannot be booked none is, and the command
lists each failing date, why, and the free times nearest it (exit 6). Safe to run again
after a network failure: the retries of one run carry one Idempotency-Key, and a second run
clashes with the visits the first one booked instead of booking them twice.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

import typer
from pydantic import TypeAdapter
from rich.table import Table

from clinic_client import Clinic, Conflict
from clinic_client.cli import progress, when
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import Invocation, JsonOption, current
from clinic_client.cli.lookup import short_id
from clinic_client.cli.schedule import (
    LocationOption,
    PlanOption,
    TherapistOption,
    TypeOption,
    who_and_where,
)
from clinic_client.models.plans import PlanRead, PlanSchedulingRead
from clinic_client.models.scheduling import SeriesBooked, SeriesCreate, SeriesFailure

Plan = PlanRead | PlanSchedulingRead
_FAILURES = TypeAdapter(list[SeriesFailure])


@dataclass(frozen=True)
class Course:
    """How long the series runs: `count` visits or up to `last_date`, and that in words."""

    count: int | None
    last_date: date | None
    said: str


def series(
    ctx: typer.Context,
    days: Annotated[str, typer.Option("--days", help="The weekdays: mon,thu or mon-fri.")],
    at: Annotated[str, typer.Option("--at", help="The time on the clinic's clock: 09:00.")],
    plan_id: PlanOption = None,
    patient: Annotated[str | None, typer.Option(help="Without --plan: a name or an id.")] = None,
    therapist: TherapistOption = None,
    location: LocationOption = None,
    first: Annotated[
        str | None,
        typer.Option("--from", help="The first day it may take (default: the next one)."),
    ] = None,
    count: Annotated[int | None, typer.Option(min=1, max=100, help="How many visits.")] = None,
    until: Annotated[str | None, typer.Option(help="The last day it may take.")] = None,
    partial: Annotated[
        bool,
        typer.Option("--partial", help="Book the dates that fit and list the rest (else none)."),
    ] = False,
    appointment_type: TypeOption = "treatment",
    room: Annotated[str | None, typer.Option(help="One of the clinic's rooms.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Book a series of visits on weekdays at one time: a plan's course, or a patient's."""
    invocation = current(ctx, as_json)
    weekdays, wall = when.weekdays(days, option="--days"), when.clock_time(at, option="--at")
    if count is not None and until is not None:
        raise CommandFailed("Give --count or --until, not both.", ExitStatus.USAGE)
    with invocation.signed_in() as clinic:
        plan = clinic.plans.read(plan_id) if plan_id is not None else None
        patient_id, therapist_id, location = who_and_where(
            clinic, plan, patient, therapist, location
        )
        day_one, last = _dates(clinic, location, wall, plan, first=first, until=until)
        course = course_of(plan, day_one, weekdays, count=count, last_date=last)
        request = SeriesCreate(
            patient_id=patient_id,
            therapist_id=therapist_id,
            location=location,
            type=appointment_type,
            weekdays=weekdays,
            time=f"{wall:%H:%M}",
            first_date=day_one,
            count=course.count,
            last_date=course.last_date,
            plan_id=plan_id,
            partial=partial,
            room=room,
        )
        booked = _book(invocation, clinic, request, course)
    _print_booked(invocation, booked, course)


def _dates(
    clinic: Clinic,
    location: str,
    at: time,
    plan: Plan | None,
    *,
    first: str | None,
    until: str | None,
) -> tuple[date, date | None]:
    """`--from` and `--until` on the clinic's calendar; `--from` by default the next day."""
    now = datetime.now(when.clinic_zone(clinic, location))
    day_one = when.day(first, now.date(), option="--from") if first else first_day(now, at, plan)
    return day_one, when.day(until, now.date(), option="--until") if until else None


def first_day(now: datetime, at: time, plan: Plan | None) -> date:
    """The first day a visit at `at` is still ahead (`now`: on the clinic's clock), and not
    before the plan's certification starts."""
    today = now.date() if now.time() < at else now.date() + timedelta(days=1)
    return max(today, plan.certification_start) if plan is not None else today


def course_of(
    plan: Plan | None,
    first: date,
    weekdays: list[int],
    *,
    count: int | None,
    last_date: date | None,
) -> Course:
    if count is not None:
        return Course(count, None, f"{count} visit{'s' if count > 1 else ''}")
    if last_date is not None:
        return Course(None, last_date, f"visits up to {when.spoken_day(last_date)}")
    if plan is None:
        raise CommandFailed(
            "Give --count or --until (or --plan, to book the plan's course).", ExitStatus.USAGE
        )
    return _plan_course(plan, first, weekdays)


def _plan_course(plan: Plan, first: date, weekdays: list[int]) -> Course:
    """The plan's visits a week times its weeks, as many as fit before its certification
    ends."""
    end = plan.certification_end
    fitting = sum(
        1
        for n in range((end - first).days + 1)
        if (first + timedelta(days=n)).weekday() in weekdays
    )
    if fitting == 0:
        raise CommandFailed(
            f"None of those days falls from {first} to the end of the plan's certification "
            f"({end}): recertify the plan first.",
            ExitStatus.CONFLICT,
        )
    course = plan.frequency_per_week * plan.duration_weeks
    said = f"the plan's {plan.frequency_per_week} a week for {plan.duration_weeks} weeks"
    if fitting < course:
        said += f", as many as fit before its certification ends on {when.spoken_day(end)}"
    return Course(min(course, fitting), None, f"{min(course, fitting)} visits: {said}")


def _book(
    invocation: Invocation, clinic: Clinic, request: SeriesCreate, course: Course
) -> SeriesBooked:
    """The series booked, a spinner showing while the one request runs; a refusal that
    lists failing dates shows them before it fails the command."""
    try:
        with progress.working(invocation, f"Booking the series ({course.said})"):
            return clinic.appointments.book_series(request)
    except Conflict as refusal:
        failures = _FAILURES.validate_python(refusal.extensions.get("failures") or [])
        if not failures or invocation.as_json:
            raise  # --json: the problem, failures and all, on stderr
        invocation.err.print(_failure_table("Dates that cannot be booked", failures))
        raise CommandFailed(
            f"No visit was booked: {len(failures)} of the dates cannot be (above, each with the "
            "free times nearest it). Choose other days or another time, or book the dates "
            "that fit with --partial.",
            ExitStatus.CONFLICT,
        ) from None


def _print_booked(invocation: Invocation, booked: SeriesBooked, course: Course) -> None:
    if invocation.as_json:
        invocation.emit_json(booked)
        return
    invocation.out.print(_booked_table(booked))
    invocation.out.print(f"Asked for {course.said}.")
    if booked.failures:
        invocation.out.print(_failure_table("Not booked", booked.failures))


def _booked_table(booked: SeriesBooked) -> Table:
    """The visits booked, with the plan's warnings on any of them (visits running out, a
    progress report due)."""
    visits = booked.booked
    where = f" at {visits[0].location}" if visits else ""
    title = f"Booked {len(visits)} visits{where} (series {short_id(booked.series_id)})"
    table = Table(title=title, title_justify="left")
    noted = any(visit.warnings for visit in visits)
    for column in ("#", "When", "Until", "Type", "Room", "Id", *(["Notes"] if noted else [])):
        table.add_column(column, no_wrap=column != "Notes")
    for number, visit in enumerate(visits, start=1):
        notes = [" ".join(warning.message for warning in visit.warnings)] if noted else []
        table.add_row(
            str(number),
            when.spoken(visit.start),
            f"{visit.end:%H:%M}",
            visit.type,
            visit.room or "",
            str(visit.id),
            *notes,
        )
    return table


def _failure_table(title: str, failures: list[SeriesFailure]) -> Table:
    """Each date that failed, why, and the free times nearest it (same therapist and clinic)."""
    table = Table(title=title, title_justify="left")
    table.add_column("Date", no_wrap=True)
    table.add_column("Why")
    table.add_column("Free near it")
    for failure in failures:
        nearby = "\n".join(when.spoken(slot.start) for slot in failure.alternatives)
        table.add_row(when.spoken(failure.start), failure.reason, nearby or "nothing within 7 days")
    return table
