"""The front desk's holds and wait list: `clinic hold` keeps a time while the patient is on
the phone, `clinic waitlist` keeps the patients who want a sooner visit, and takes up the
times a cancellation offers them.

Times are the clinic's, as in `clinic book`: `--at "2026-12-01 09:00"` is 9:00 there.
"""

from typing import Annotated, cast, get_args
from uuid import UUID

import typer
from rich.table import Table

from clinic_client._async.scheduling import EntryStatus
from clinic_client.cli import lookup, when
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import Invocation, JsonOption, QuietOption, current
from clinic_client.cli.lookup import short_id
from clinic_client.cli.schedule import print_booked
from clinic_client.models.scheduling import (
    HoldConfirm,
    HoldCreate,
    HoldRead,
    WaitlistEntryCreate,
    WaitlistEntryRead,
)

TypeOption = Annotated[str, typer.Option("--type", help="evaluation, treatment or re-evaluation.")]
LocationOption = Annotated[str, typer.Option(help="gaithersburg, frederick or columbia.")]
PatientOption = Annotated[str | None, typer.Option(help="A patient's name or id.")]

hold_app = typer.Typer(
    help="Hold a time for a few minutes while the patient decides.", no_args_is_help=True
)
waitlist_app = typer.Typer(
    help="Patients waiting for a sooner visit, and the times cancellations offer them.",
    no_args_is_help=True,
)


# -- clinic hold ----------------------------------------------------------------------------


@hold_app.command("new")
def new_hold(
    ctx: typer.Context,
    therapist: Annotated[UUID, typer.Option(help="The therapist's id.")],
    location: LocationOption,
    at: Annotated[str, typer.Option(help="The start, on the clinic's clock.")],
    appointment_type: TypeOption = "treatment",
    patient: PatientOption = None,
    minutes: Annotated[int, typer.Option(min=1, max=60, help="How long to hold it.")] = 10,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Hold a time: nobody else books it until it is confirmed, released or expires."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        start = when.local_start(at, when.clinic_zone(clinic, location), option="--at")
        patient_id = lookup.patient(clinic, patient).id if patient else None
        held = clinic.holds.create(
            HoldCreate(
                therapist_id=therapist,
                location=location,
                type=appointment_type,
                start=start,
                patient_id=patient_id,
                minutes=minutes,
            )
        )
    _print_hold(invocation, held, quiet=quiet)


@hold_app.command("confirm")
def confirm_hold(
    ctx: typer.Context,
    hold: Annotated[UUID, typer.Argument(help="The hold's id.")],
    patient: PatientOption = None,
    plan_id: Annotated[UUID | None, typer.Option("--plan", help="A plan of care.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Book the held time (for the patient named now, or when it was held)."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        patient_id = lookup.patient(clinic, patient).id if patient else None
        booked = clinic.holds.confirm(hold, HoldConfirm(patient_id=patient_id, plan_id=plan_id))
    print_booked(invocation, booked, quiet=False)


@hold_app.command("release")
def release_hold(
    ctx: typer.Context, hold: Annotated[UUID, typer.Argument(help="The hold's id.")]
) -> None:
    """Give the held time back at once."""
    invocation = current(ctx, False)
    with invocation.signed_in() as clinic:
        clinic.holds.release(hold)
    invocation.out.print("Released: the time is free again.")


def _print_hold(invocation: Invocation, held: HoldRead, *, quiet: bool) -> None:
    if invocation.as_json:
        invocation.emit_json(held)
    elif quiet:
        invocation.out.print(str(held.id))
    else:
        invocation.out.print(
            f"Held {when.spoken(held.start)}-{held.end:%H:%M} at {held.location} until "
            f"{held.expires_at.astimezone(held.start.tzinfo):%H:%M}: {held.id}"
        )


# -- clinic waitlist ------------------------------------------------------------------------


@waitlist_app.command("add")
def add_to_waitlist(
    ctx: typer.Context,
    patient: Annotated[str, typer.Option(help="A patient's name or id.")],
    location: LocationOption,
    therapist: Annotated[
        UUID | None, typer.Option(help="Only this therapist (any who works there if not given).")
    ] = None,
    appointment_type: TypeOption = "treatment",
    days: Annotated[str | None, typer.Option(help="Days that suit: mon-fri, mon,thu.")] = None,
    earliest: Annotated[str | None, typer.Option(help="Starts no earlier: 08:00.")] = None,
    latest: Annotated[str | None, typer.Option(help="Ends no later: 12:00.")] = None,
    note: Annotated[str | None, typer.Option(help="For the front desk.")] = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Put a patient on a clinic's wait list."""
    invocation = current(ctx, as_json)
    weekdays = when.weekdays(days, option="--days") if days else []
    first = f"{when.clock_time(earliest, option='--earliest'):%H:%M}" if earliest else None
    last = f"{when.clock_time(latest, option='--latest'):%H:%M}" if latest else None
    with invocation.signed_in() as clinic:
        entry = clinic.waitlist.add(
            WaitlistEntryCreate(
                patient_id=lookup.patient(clinic, patient).id,
                location=location,
                therapist_id=therapist,
                type=appointment_type,
                weekdays=weekdays,
                earliest=first,
                latest=last,
                note=note,
            )
        )
    if invocation.as_json:
        invocation.emit_json(entry)
    elif quiet:
        invocation.out.print(str(entry.id))
    else:
        invocation.out.print(f"On the wait list at {entry.location}: {entry.id}")


@waitlist_app.command("list")
def list_waitlist(
    ctx: typer.Context,
    location: Annotated[str | None, typer.Option(help="One clinic.")] = None,
    status: Annotated[
        str | None, typer.Option(help="waiting, offered, booked, withdrawn or any.")
    ] = "any",
    as_json: JsonOption = False,
) -> None:
    """The wait list, oldest first, with any time offered now."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        found = clinic.waitlist.list(location=location, status=_status(status))
        entries = list(found)
    if invocation.as_json:
        invocation.emit_json(entries)
        return
    invocation.out.print(_waitlist_table(entries))


def _status(given: str | None) -> EntryStatus | None:
    if given is None or given == "any":
        return None
    if given not in get_args(EntryStatus):
        raise CommandFailed(
            f"--status: one of {', '.join(get_args(EntryStatus))} or any.", ExitStatus.USAGE
        )
    return cast(EntryStatus, given)


def _waitlist_table(entries: list[WaitlistEntryRead]) -> Table:
    table = Table(title="Wait list", title_justify="left")
    for column in ("Since", "Clinic", "Patient", "Days", "Times", "Status", "Offers", "Id"):
        table.add_column(column, no_wrap=True)
    for entry in entries:
        days = ",".join(when.WEEKDAYS[d][:3] for d in entry.weekdays) or "any"
        times = "-".join((entry.earliest or "", entry.latest or "")).strip("-") or "any"
        offers = ", ".join(f"{when.spoken(o.start)} ({short_id(o.id)})" for o in entry.offers)
        table.add_row(
            f"{entry.created_at:%Y-%m-%d}",
            entry.location,
            short_id(entry.patient_id),
            days,
            times,
            entry.status,
            offers,
            str(entry.id),
        )
    if not entries:
        table.caption = "nobody waiting"
    return table


@waitlist_app.command("withdraw")
def withdraw_from_waitlist(
    ctx: typer.Context,
    entry: Annotated[UUID, typer.Argument(help="The entry's id.")],
    as_json: JsonOption = False,
) -> None:
    """Take a patient off the wait list."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        withdrawn = clinic.waitlist.withdraw(entry)
    if invocation.as_json:
        invocation.emit_json(withdrawn)
    else:
        invocation.out.print("Off the wait list.")


@waitlist_app.command("accept")
def accept_offer(
    ctx: typer.Context,
    offer: Annotated[UUID, typer.Argument(help="The offer's id (from `clinic waitlist list`).")],
    as_json: JsonOption = False,
) -> None:
    """Take an offered time: the first of those offered it to accept books it."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        booked = clinic.waitlist.accept(offer)
    print_booked(invocation, booked, quiet=False)
