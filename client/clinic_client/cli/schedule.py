"""The front desk's scheduling commands: free slots, booking, cancelling and the day sheet;
and the admins' `clinic hours`, a therapist's weekly hours at a clinic.

Times are the clinic's: a slot prints on the clinic's clock, and `--at "2026-12-01 09:00"`
means 9:00 there. With `--plan`, the patient, the therapist and the clinic come from the plan
of care (the front desk reads a plan's scheduling facts), and the visit counts against it.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table
from rich.text import Text

from clinic_client import Clinic
from clinic_client.cli import lookup, progress, when
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import Invocation, JsonOption, QuietOption, current
from clinic_client.cli.lookup import short_id
from clinic_client.models.plans import PlanRead, PlanSchedulingRead
from clinic_client.models.scheduling import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCreate,
    AppointmentListed,
    AppointmentRead,
    CancelRequest,
    HoursEntry,
    SlotRead,
    TherapistWeekRead,
)

TypeOption = Annotated[str, typer.Option("--type", help="evaluation, treatment or re-evaluation.")]
PlanOption = Annotated[
    UUID | None, typer.Option("--plan", help="A plan of care: its patient, therapist and clinic.")
]
TherapistOption = Annotated[UUID | None, typer.Option("--therapist", help="A therapist's id.")]
LocationOption = Annotated[
    str | None, typer.Option("--location", help="gaithersburg, frederick or columbia.")
]


def slots(
    ctx: typer.Context,
    location: LocationOption = None,
    appointment_type: TypeOption = "treatment",
    start: Annotated[str, typer.Option("--from", help="First day (with --location).")] = "today",
    days: Annotated[int, typer.Option(min=1, max=31, help="How many days (with --location).")] = 7,
    therapist: TherapistOption = None,
    plan_id: PlanOption = None,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many of the next slots.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Free slots: the next ones across all clinics, or a clinic's over some days."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        near = None
        if plan_id is not None:  # the plan's therapist at the plan's clinic
            plan = clinic.plans.read(plan_id)
            therapist, near = therapist or plan.therapist_id, [plan.location]
        if location is None:
            found = clinic.availability.next(
                appointment_type, locations=near, therapist_id=therapist, limit=limit
            ).slots
        else:
            first = when.day(start, when.clinic_today(clinic, location), option="--from")
            last = first + timedelta(days=days - 1)
            found = clinic.availability.slots(
                location, appointment_type, first, last, therapist_id=therapist
            ).slots
    if invocation.as_json:
        invocation.emit_json(found)
        return
    where = f"at {location or near[0]}" if location or near else "across all clinics"
    invocation.out.print(_slot_table(f"Free {appointment_type} slots {where}", found))


def _slot_table(title: str, found: list[SlotRead]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("Start", "Until", "Clinic", "Therapist"):
        table.add_column(column)
    for slot in found:
        table.add_row(
            when.spoken(slot.start), f"{slot.end:%H:%M}", slot.location, str(slot.therapist_id)
        )
    if not found:
        table.caption = "no free slot"
    return table


def book(
    ctx: typer.Context,
    at: Annotated[
        str, typer.Option(help="The start, on the clinic's clock ('2026-12-01 09:00'), or 'next'.")
    ],
    plan_id: PlanOption = None,
    patient: Annotated[str | None, typer.Option(help="Without --plan: a name or an id.")] = None,
    therapist: TherapistOption = None,
    location: LocationOption = None,
    appointment_type: TypeOption = "treatment",
    room: Annotated[str | None, typer.Option(help="One of the clinic's rooms.")] = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Book a visit (safe to run again after a network failure: one booking)."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        plan = clinic.plans.read(plan_id) if plan_id is not None else None
        patient_id, therapist_id, location = who_and_where(
            clinic, plan, patient, therapist, location
        )
        start = _start(clinic, at, appointment_type, therapist_id, location)
        visit = AppointmentCreate(
            patient_id=patient_id,
            therapist_id=therapist_id,
            location=location,
            type=appointment_type,
            start=start,
            plan_id=plan_id,
            room=room,
        )
        booked = clinic.appointments.book(visit)
    print_booked(invocation, booked, quiet=quiet)


def print_booked(invocation: Invocation, booked: AppointmentBooked, *, quiet: bool) -> None:
    """A visit booked (by `book`, a confirmed hold or an accepted offer), with its notes."""
    if invocation.as_json:
        invocation.emit_json(booked)
        return
    if quiet:
        invocation.out.print(str(booked.id))
        return
    invocation.out.print(
        f"Booked a {booked.type} visit on {when.spoken(booked.start)}-{booked.end:%H:%M} at "
        f"{booked.location}: {booked.id}"
    )
    for warning in booked.warnings:
        invocation.out.print(Text.assemble(("Note:", "yellow"), " ", warning.message))


def who_and_where(
    clinic: Clinic,
    plan: PlanRead | PlanSchedulingRead | None,
    patient: str | None,
    therapist: UUID | None,
    location: str | None,
) -> tuple[UUID, UUID, str]:
    """The patient, therapist and clinic: the plan's, unless the options say otherwise."""
    if plan is not None:
        return plan.patient_id, therapist or plan.therapist_id, location or plan.location
    if patient is None or therapist is None or location is None:
        raise CommandFailed(
            "Give --plan, or --patient, --therapist and --location.", ExitStatus.USAGE
        )
    return lookup.patient(clinic, patient).id, therapist, location


def _start(
    clinic: Clinic, at: str, appointment_type: str, therapist_id: UUID, location: str
) -> datetime:
    """`--at`: a time on the clinic's clock, or `next`, the therapist's next free slot there."""
    if at.strip().lower() != "next":
        return when.local_start(at, when.clinic_zone(clinic, location), option="--at")
    found = clinic.availability.next(
        appointment_type, locations=[location], therapist_id=therapist_id, limit=1
    ).slots
    if not found:
        raise CommandFailed(
            f"No free {appointment_type} slot at {location} for that therapist.",
            ExitStatus.CONFLICT,
        )
    return found[0].start


class Scope(StrEnum):
    """Which visits of a series a cancel takes."""

    this = "this"
    following = "following"
    all = "all"


def cancel(
    ctx: typer.Context,
    appointment: Annotated[UUID, typer.Argument(help="The appointment's id.")],
    reason: Annotated[str, typer.Option(help="Why: kept on the appointment.")],
    scope: Annotated[
        Scope,
        typer.Option(
            help="A visit of a series: this one, the following (this and the later ones), "
            "or all not yet begun."
        ),
    ] = Scope.this,
    as_json: JsonOption = False,
) -> None:
    """Cancel an appointment (or the rest of its series); less than 24 hours before, it
    counts as a late cancellation."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        cancelled = clinic.appointments.cancel(
            appointment, CancelRequest(reason=reason, scope=scope.value)
        )
        also = [
            clinic.appointments.read(other)
            for other in progress.steps(
                invocation, cancelled.also_cancelled, "Reading the visits cancelled with it"
            )
        ]
    if invocation.as_json:
        invocation.emit_json(cancelled)
        return
    invocation.out.print(
        f"Cancelled the visit of {when.spoken(cancelled.start)}{_late(cancelled)}."
    )
    if also:
        invocation.out.print(_also_cancelled(also))


def _late(visit: AppointmentRead | AppointmentCancelled) -> str:
    return " (a late cancellation)" if visit.late_cancellation else ""


def _also_cancelled(visits: list[AppointmentRead]) -> Table:
    table = Table(title=f"Also cancelled: {len(visits)} more of its series", title_justify="left")
    for column in ("When", "Until", "Type", "Status", "Id"):
        table.add_column(column, no_wrap=True)
    for each in visits:
        status = each.status + (" (late)" if each.late_cancellation else "")
        table.add_row(when.spoken(each.start), f"{each.end:%H:%M}", each.type, status, str(each.id))
    return table


def day(
    ctx: typer.Context,
    location: Annotated[str, typer.Option(help="gaithersburg, frederick or columbia.")],
    on: Annotated[
        str, typer.Option("--date", help="The day: today, tomorrow or a date.")
    ] = "today",
    as_json: JsonOption = False,
) -> None:
    """The day sheet of one clinic, in time order, with the patients' names."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        the_day = when.day(on, when.clinic_today(clinic, location), option="--date")
        pages = list(clinic.appointments.list_pages(location=location, date=the_day))
    found = [item for page in pages for item in page.items]
    if invocation.as_json:
        invocation.emit_json(found)
        return
    invocation.out.print(_day_sheet(f"{location}, {when.spoken_day(the_day)}", found))
    names = {page.patient_names for page in pages}
    for state in ("unavailable", "withheld"):
        if state in names and found:
            invocation.out.print(Text.assemble(("Note:", "yellow"), " ", NAMES_NOT_SHOWN[state]))


# Why a day sheet shows patients by id (the page's `patient_names`).
NAMES_NOT_SHOWN = {
    "unavailable": "The patients service did not answer in time, so some patients show by "
    "id only: run it again for their names.",
    "withheld": "Patients' names are not shown to administrators: patients show by id.",
}


def _day_sheet(title: str, found: list[AppointmentListed]) -> Table:
    """One clinic's day: times, who with whom, and the id that `clinic cancel` takes."""
    table = Table(title=title, title_justify="left")
    for column in ("Time", "Type", "Patient", "Therapist", "Room", "Status", "Id"):
        table.add_column(column, no_wrap=True)
    for each in found:
        table.add_row(
            f"{each.start:%H:%M}-{each.end:%H:%M}",
            each.type,
            each.patient_name or short_id(each.patient_id),
            short_id(each.therapist_id),
            each.room or "",
            each.status,
            str(each.id),
        )
    if not found:
        table.caption = "no appointments"
    return table


COMMANDS = {"slots": slots, "book": book, "cancel": cancel, "day": day}


# -- clinic hours (admins) ----------------------------------------------------------------

hours_app = typer.Typer(
    help="A therapist's weekly hours at each clinic (admins set them).", no_args_is_help=True
)
TherapistArgument = Annotated[
    str, typer.Option("--therapist", help="The therapist: an email, an id, or 'me'.")
]


@hours_app.command("set")
def set_hours(
    ctx: typer.Context,
    therapist: TherapistArgument,
    location: Annotated[str, typer.Option(help="The clinic.")],
    days: Annotated[str, typer.Option(help="Days such as mon-fri or mon,thu.")],
    start: Annotated[str, typer.Option("--from", help="Start of the day, 08:00 say.")],
    end: Annotated[str, typer.Option("--to", help="End of the day, 17:00 say.")],
    as_json: JsonOption = False,
) -> None:
    """Set the therapist's hours at a clinic on those days, keeping the rest of their week."""
    invocation = current(ctx, as_json)
    weekdays = when.weekdays(days, option="--days")
    opens, closes = when.clock_time(start, option="--from"), when.clock_time(end, option="--to")
    with invocation.signed_in() as clinic:
        therapist_id = _therapist_id(clinic, therapist)
        kept = [
            HoursEntry.model_validate(each.model_dump())
            for each in clinic.therapists.hours(therapist_id).hours
            if each.location != location or each.weekday not in weekdays
        ]
        added = [
            HoursEntry(
                location=location, weekday=weekday, start=f"{opens:%H:%M}", end=f"{closes:%H:%M}"
            )
            for weekday in weekdays
        ]
        week = clinic.therapists.set_hours(therapist_id, kept + added)
    _print_week(invocation, week)


@hours_app.command("show")
def show_hours(
    ctx: typer.Context, therapist: TherapistArgument = "me", as_json: JsonOption = False
) -> None:
    """The therapist's weekly hours."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        week = clinic.therapists.hours(_therapist_id(clinic, therapist))
    _print_week(invocation, week)


def _print_week(invocation: Invocation, week: TherapistWeekRead) -> None:
    if invocation.as_json:
        invocation.emit_json(week)
        return
    table = Table(title=f"Hours of therapist {short_id(week.therapist_id)}", title_justify="left")
    for column in ("Day", "Clinic", "From", "To"):
        table.add_column(column)
    for each in sorted(week.hours, key=lambda entry: (entry.weekday, entry.start)):
        table.add_row(
            when.WEEKDAYS[each.weekday].title(), each.location, str(each.start), str(each.end)
        )
    invocation.out.print(table)


def _therapist_id(clinic: Clinic, given: str) -> UUID:
    if given == "me":
        return clinic.users.me().id
    if (therapist_id := lookup.as_uuid(given)) is not None:
        return therapist_id
    for user in clinic.users.list(role="therapist"):
        if user.email.lower() == given.lower():
            return user.id
    raise CommandFailed(f"No therapist signs in as {given}.", ExitStatus.NOT_FOUND)
