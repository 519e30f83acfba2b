"""The patient's commands: the home program, logging a session, progress, appointments and
the handout.

A patient usually has one active plan, which these commands use; with several, `--plan`
picks one. Therapists may read a patient's progress and handout too, naming the plan.
"""

from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table
from rich.text import Text

from clinic_client import Clinic
from clinic_client.cli import charts, lookup, when
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import Invocation, JsonOption, current
from clinic_client.cli.lookup import short_id
from clinic_client.models.plans import (
    HomeSessionCreate,
    MyDosageRead,
    MyExerciseRead,
    MyPlanRead,
    PainSeries,
)
from clinic_client.models.scheduling import AppointmentRead

PlanOption = Annotated[
    UUID | None, typer.Option("--plan", help="Which plan, when you have more than one.")
]
HANDOUT_TYPES = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html"}
SIDES = {"each": "each side", "both": "both sides", "left": "left", "right": "right"}


def my_plans(clinic: Clinic, plan_id: UUID | None) -> list[MyPlanRead]:
    if plan_id is not None:
        return [clinic.me.plan(plan_id)]
    plans = list(clinic.me.plans())
    if not plans:
        raise CommandFailed("You have no active plan of care.", ExitStatus.NOT_FOUND)
    return plans


def my_plan(clinic: Clinic, plan_id: UUID | None) -> MyPlanRead:
    plans = my_plans(clinic, plan_id)
    if len(plans) > 1:
        listed = "\n".join(f"  {p.id}  at {p.location}, since {p.start_date}" for p in plans)
        raise CommandFailed(
            f"You have several plans; choose one with --plan:\n{listed}", ExitStatus.USAGE
        )
    return plans[0]


def _plan_for(invocation: Invocation, clinic: Clinic, plan_id: UUID | None) -> UUID:
    """Your own plan, as a patient; the plan named, as staff."""
    if invocation.user().role == "patient":
        return my_plan(clinic, plan_id).id
    if plan_id is None:
        raise CommandFailed("Name the plan with --plan.", ExitStatus.USAGE)
    return plan_id


# -- clinic plan --------------------------------------------------------------------------


def plan(ctx: typer.Context, plan_id: PlanOption = None, as_json: JsonOption = False) -> None:
    """Your home program: each exercise's sets x reps, hold, side, cues and precautions."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        plans = my_plans(clinic, plan_id)
    if invocation.as_json:
        invocation.emit_json(plans)
        return
    for each in plans:
        _print_plan(invocation, each)


def _print_plan(invocation: Invocation, plan: MyPlanRead) -> None:
    out = invocation.out
    out.print(
        f"Your plan of care with {plan.therapist_name} at {plan.location}: "
        f"{plan.frequency_per_week} visits a week for {plan.duration_weeks} weeks, "
        f"from {when.spoken_day(plan.start_date)} (plan {short_id(plan.id)})"
    )
    if plan.patient_note:
        out.print(plan.patient_note, style="italic")
    out.print("At home", style="bold")
    out.print(_program_table(plan.home))
    if plan.clinic:
        out.print("In the clinic, with your therapist", style="bold")
        clinic_part = Table("Exercise", "What")
        for exercise in plan.clinic:
            clinic_part.add_row(exercise.name, exercise.dosage_text)
        out.print(clinic_part)
    for item in plan.education:
        out.print(Text.assemble((f"{item.title}.", "bold"), " ", item.text))
    if plan.when_to_call:
        out.print(Text.assemble(("When to call the clinic:", "bold red"), " ", plan.when_to_call))


def _program_table(exercises: list[MyExerciseRead]) -> Table:
    table = Table(show_lines=True)
    # Wide enough for the longest slug, which `clinic log --done` takes.
    table.add_column("Exercise", ratio=2, min_width=max([8, *(len(e.slug) for e in exercises)]))
    for column in ("Sets x reps", "Hold", "Side"):
        table.add_column(column, no_wrap=True)
    table.add_column("How often", ratio=1)
    table.add_column("Cues", ratio=4)
    table.add_column("Precautions", ratio=2)
    for exercise in exercises:
        dosage = exercise.dosage
        name = Text(exercise.name)
        name.append(f"\n{exercise.slug}", style="dim")
        cues = "\n".join(f"• {cue}" for cue in exercise.cues)
        notes = "\n".join(filter(None, [exercise.precautions, exercise.patient_note]))
        table.add_row(
            name,
            _sets_reps(dosage),
            _hold(dosage),
            SIDES.get(dosage.side, dosage.side),
            _how_often(dosage),
            cues,
            notes,
        )
    return table


def _span(low: int | None, high: int | None) -> str:
    if low is None:
        return ""
    return f"{low}-{high}" if high is not None and high != low else str(low)


def _sets_reps(dosage: MyDosageRead) -> str:
    sets, reps = _span(dosage.sets, dosage.sets_max), _span(dosage.reps, dosage.reps_max)
    if not reps:
        return f"{sets} sets" if sets else "-"
    return f"{sets} x {reps}" if sets else f"{reps} times"


def _hold(dosage: MyDosageRead) -> str:
    hold = _span(dosage.hold_seconds, dosage.hold_seconds_max)
    return f"{hold} s" if hold else "-"


def _how_often(dosage: MyDosageRead) -> str:
    parts = []
    if dosage.times_per_day:
        parts.append(
            "once a day" if dosage.times_per_day == 1 else f"{dosage.times_per_day}x a day"
        )
    if dosage.days_per_week:
        parts.append(f"{dosage.days_per_week} days a week")
    return ", ".join(parts) or "-"


# -- clinic log ---------------------------------------------------------------------------


def log(
    ctx: typer.Context,
    pain: Annotated[
        int, typer.Option(min=0, max=10, help="Pain that day, 0 (none) to 10 (worst).")
    ],
    done: Annotated[str, typer.Option(help="The exercises you did, by slug: toe-spreads,...")],
    on: Annotated[
        str, typer.Option(help="The day: today, yesterday, '2 days ago' or a date.")
    ] = "today",
    numbness: Annotated[bool, typer.Option(help="Numbness or tingling that day.")] = False,
    note: Annotated[str | None, typer.Option(help="Anything your therapist should know.")] = None,
    plan_id: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a day's home exercises with your pain score (one log a day)."""
    invocation = current(ctx, as_json)
    slugs = [slug.strip() for slug in done.split(",") if slug.strip()]
    with invocation.signed_in() as clinic:
        mine = my_plan(clinic, plan_id)
        performed_on = when.day(on, when.clinic_today(clinic, mine.location), option="--on")
        body = HomeSessionCreate(
            performed_on=performed_on, exercises=slugs, pain=pain, numbness=numbness, note=note
        )
        logged = clinic.home_sessions.log(mine.id, body)
    if invocation.as_json:
        invocation.emit_json(logged)
        return
    invocation.out.print(
        f"Logged {when.spoken_day(logged.performed_on)}: pain {logged.pain}/10, "
        f"{len(logged.exercises)} exercise{'s' if len(logged.exercises) != 1 else ''}."
    )
    if logged.advice:
        invocation.out.print(logged.advice, style="bold red")


# -- clinic progress ----------------------------------------------------------------------


def progress(ctx: typer.Context, plan_id: PlanOption = None, as_json: JsonOption = False) -> None:
    """Home sessions done against the target, week by week, and the pain trend."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        adherence = clinic.home_sessions.adherence(_plan_for(invocation, clinic, plan_id))
    if invocation.as_json:
        invocation.emit_json(adherence)
        return
    weeks = Table(title="Home sessions, week by week", title_justify="left")
    for column in ("Week", "Days", "Sessions", "Done"):
        weeks.add_column(column)
    for week in adherence.weeks:
        days = f"{week.starts_on:%d %b} - {week.ends_on:%d %b}"
        weeks.add_row(
            str(week.week),
            days,
            f"{week.sessions} of {week.target}",
            charts.share_bar(week.percent),
        )
    overall = adherence.overall
    weeks.add_row(
        "all", "", f"{overall.sessions} of {overall.target}", charts.share_bar(overall.percent)
    )
    invocation.out.print(weeks)
    _print_pain(invocation, adherence.pain)


def _print_pain(invocation: Invocation, pain: PainSeries) -> None:
    out = invocation.out
    if not pain.series:
        out.print("No pain scores logged yet.")
        return
    heading = Text("Pain (0-10): ")
    heading.append_text(charts.sparkline([point.pain for point in pain.series]))
    if pain.trend:
        slope = f", {pain.slope_per_week:+.1f} a week" if pain.slope_per_week is not None else ""
        heading.append(f"  {pain.trend}{slope}")
    out.print(heading)
    for line in charts.pain_bars(pain.series):
        out.print(line)


# -- clinic appointments ------------------------------------------------------------------


def appointments(
    ctx: typer.Context,
    patient: Annotated[str | None, typer.Option(help="Staff: whose (a name or an id).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Your appointments (staff: a patient's, with --patient), in time order."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        if invocation.user().role == "patient":
            found = list(clinic.me.appointments())
        elif patient is None:
            raise CommandFailed("Name the patient with --patient.", ExitStatus.USAGE)
        else:
            found = list(clinic.appointments.list(patient_id=lookup.patient(clinic, patient).id))
    found.sort(key=lambda each: each.start)
    if invocation.as_json:
        invocation.emit_json(found)
        return
    invocation.out.print(appointment_table("Appointments", found))


def appointment_table(title: str, found: list[AppointmentRead]) -> Table:
    """A person's visits: when, what, where, and the id that `clinic cancel` takes."""
    table = Table(title=title, title_justify="left")
    for column in ("When", "Until", "Type", "Clinic", "Status", "Id"):
        table.add_column(column, no_wrap=True)
    for each in found:
        table.add_row(
            when.spoken(each.start),
            f"{each.end:%H:%M}",
            each.type,
            each.location,
            _status(each),
            str(each.id),
        )
    if not found:
        table.caption = "none"
    return table


def _status(appointment: AppointmentRead) -> str:
    return appointment.status + (" (late)" if appointment.late_cancellation else "")


# -- clinic handout -----------------------------------------------------------------------


def handout(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Where to save it: a .pdf or .html file.")],
    plan_id: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Save the printable handout of your home program, as PDF or HTML."""
    invocation = current(ctx, as_json)
    media_type = HANDOUT_TYPES.get(out.suffix.lower())
    if media_type is None:
        raise typer.BadParameter("a file name ending in .pdf or .html", param_hint="--out")
    with invocation.signed_in() as clinic:
        content = clinic.plans.handout(_plan_for(invocation, clinic, plan_id), accept=media_type)
    out.write_bytes(content)
    if invocation.as_json:
        invocation.emit_json({"path": str(out), "media_type": media_type, "bytes": len(content)})
    else:
        invocation.out.print(
            f"Saved the handout ({media_type}, {len(content) // 1024 or 1} kB) to {out}."
        )


COMMANDS = {
    "plan": plan,
    "log": log,
    "progress": progress,
    "appointments": appointments,
    "handout": handout,
}
