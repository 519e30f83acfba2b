"""The therapist's commands: `clinic plans new|show|edit|activate` and `clinic queue`.

A plan is named by its id, or by `--patient` when that patient has exactly one plan in the
state the command needs (a draft to sign, a draft or live plan to change).
"""

from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table
from rich.text import Text

from clinic_client import Clinic
from clinic_client.cli import lookup, when
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import Invocation, JsonOption, QuietOption, current
from clinic_client.cli.lookup import short_id
from clinic_client.cli.progress import steps
from clinic_client.models.plans import (
    DiagnosisIn,
    ExerciseIn,
    GoalIn,
    PlanCreate,
    PlanRead,
    PlanSummary,
    PlanUpdate,
    ProgramItemRead,
)

app = typer.Typer(help="Plans of care: create from a protocol, change, sign.", no_args_is_help=True)

PlanArgument = Annotated[UUID | None, typer.Argument(help="The plan's id (or name the patient).")]
PatientOption = Annotated[
    str | None, typer.Option("--patient", help="The patient: a name or an id.")
]
GoalOption = Annotated[
    list[str] | None, typer.Option("--goal", help="A long-term goal; repeat for more.")
]
ShortGoalOption = Annotated[
    list[str] | None, typer.Option("--short-goal", help="A short-term goal.")
]
LIVE = ("draft", "active", "on_hold")
DOSAGE = (
    "sets",
    "sets_max",
    "reps",
    "reps_max",
    "hold_seconds",
    "hold_seconds_max",
    "times_per_day",
    "days_per_week",
    "side",
)
ALIASES = {"hold": "hold_seconds", "hold_max": "hold_seconds_max"}
TEXT_FIELDS = ("side", "part", "patient_note", "staff_note")


@app.command()
def new(
    ctx: typer.Context,
    patient: Annotated[str, typer.Option(help="The patient: a name or an id.")],
    per_week: Annotated[int, typer.Option(help="Visits a week.")],
    weeks: Annotated[int, typer.Option(help="For how many weeks.")],
    protocol: Annotated[
        str | None, typer.Option(help="Start from this protocol: mortons-neuroma.")
    ] = None,
    location: Annotated[
        str | None, typer.Option(help="The clinic (default: the patient's own).")
    ] = None,
    start: Annotated[str, typer.Option(help="First day: today, '7 days ago' or a date.")] = "today",
    diagnosis: Annotated[
        list[str] | None, typer.Option(help="ICD-10-CM code (default: the patient's).")
    ] = None,
    goal: GoalOption = None,
    short_goal: ShortGoalOption = None,
    home_equipment: Annotated[
        list[str] | None, typer.Option(help="What they have at home: wall, ...")
    ] = None,
    patient_note: Annotated[str | None, typer.Option(help="A note the patient reads.")] = None,
    staff_note: Annotated[str | None, typer.Option(help="A note for staff only.")] = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Create a draft plan of care for a patient, from a protocol; you are its therapist."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        found = lookup.patient(clinic, patient)
        clinic_slug = location or found.home_location
        codes = diagnosis or [each.code for each in found.diagnoses]
        plan = PlanCreate(
            patient_id=found.id,
            protocol=protocol,
            location=clinic_slug,
            frequency_per_week=per_week,
            duration_weeks=weeks,
            start_date=when.day(start, when.clinic_today(clinic, clinic_slug), option="--start"),
            diagnoses=[DiagnosisIn(code=code) for code in codes],
            goals=_new_goals(goal, short_goal) or None,
            home_equipment=home_equipment or [],
            patient_note=patient_note,
            staff_note=staff_note,
        )
        created = clinic.plans.create(plan)
    _print_plan(invocation, created, quiet=quiet)


def _new_goals(long_term: list[str] | None, short_term: list[str] | None) -> list[GoalIn]:
    goals = [GoalIn(text=text, term="short") for text in short_term or []]
    return goals + [GoalIn(text=text, term="long") for text in long_term or []]


@app.command()
def show(
    ctx: typer.Context,
    plan_id: PlanArgument = None,
    patient: PatientOption = None,
    as_json: JsonOption = False,
) -> None:
    """One plan of care, with its program."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        plan = clinic.plans.read(_plan_id(clinic, plan_id, patient, LIVE))
    _print_plan(invocation, plan)


@app.command()
def edit(
    ctx: typer.Context,
    plan_id: PlanArgument = None,
    patient: PatientOption = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="SLUG.FIELD=VALUE, toe-spreads.sets=2; fields: sets, reps, hold, "
            "times_per_day, days_per_week, side, part and their _max.",
        ),
    ] = None,
    add: Annotated[
        list[str] | None, typer.Option(help="Add an exercise by slug, with its usual dosage.")
    ] = None,
    remove: Annotated[list[str] | None, typer.Option(help="Take an exercise out by slug.")] = None,
    goal: GoalOption = None,
    short_goal: ShortGoalOption = None,
    per_week: Annotated[int | None, typer.Option(help="Visits a week.")] = None,
    weeks: Annotated[int | None, typer.Option(help="For how many weeks.")] = None,
    patient_note: Annotated[str | None, typer.Option(help="The note the patient reads.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a plan; a signed plan gets a new revision (the old one stays readable)."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        plan = _full(clinic.plans.read(_plan_id(clinic, plan_id, patient, LIVE)))
        change: dict[str, Any] = {}
        if set_ or add or remove:
            change["exercises"] = _program(
                plan.exercises, _settings(set_ or []), add or [], remove or []
            )
        if goal or short_goal:
            change["goals"] = _goals_kept(plan) + _new_goals(goal, short_goal)
        extra = {"frequency_per_week": per_week, "duration_weeks": weeks}
        change |= {name: value for name, value in extra.items() if value is not None}
        if patient_note is not None:
            change["patient_note"] = patient_note
        if not change:
            raise CommandFailed(
                "Nothing to change: see `clinic plans edit --help`.", ExitStatus.USAGE
            )
        changed = clinic.plans.update(plan.id, PlanUpdate(**change), if_match=plan.version)
    _print_plan(invocation, changed)


def _goals_kept(plan: PlanRead) -> list[GoalIn]:
    """The plan's goals as they are: `goals` is the whole list, and an id keeps a goal."""
    return [
        GoalIn(id=g.id, text=g.text, term=g.term, target_date=g.target_date, status=g.status)
        for g in plan.goals
    ]


def _settings(given: list[str]) -> dict[str, dict[str, Any]]:
    """`toe-spreads.sets=2` -> {"toe-spreads": {"sets": 2}}."""
    settings: dict[str, dict[str, Any]] = {}
    for each in given:
        target, _, value = each.partition("=")
        slug, _, name = target.partition(".")
        name = ALIASES.get(name, name)
        if not value or name not in (*DOSAGE, *TEXT_FIELDS):
            raise typer.BadParameter(
                f"{each!r}: SLUG.FIELD=VALUE with a dosage field", param_hint="--set"
            )
        if name in TEXT_FIELDS:
            settings.setdefault(slug, {})[name] = value
        elif value.isdigit():
            settings.setdefault(slug, {})[name] = int(value)
        else:
            raise typer.BadParameter(f"{each!r}: {name} takes a whole number", param_hint="--set")
    return settings


def _program(
    items: list[ProgramItemRead],
    settings: dict[str, dict[str, Any]],
    added: list[str],
    removed: list[str],
) -> list[ExerciseIn]:
    """The whole program to send: an exercise sent without amounts keeps its dosage, so
    only a changed one carries its numbers (all of them, the new ones in place)."""
    present = {item.slug for item in items}
    unknown = (set(settings) | set(removed)) - present
    if unknown:
        raise CommandFailed(f"Not in this plan: {', '.join(sorted(unknown))}.", ExitStatus.INVALID)
    program = []
    for item in items:
        if item.slug in removed:
            continue
        if item.slug in settings:
            current_values = {name: getattr(item, name) for name in (*DOSAGE, "part")}
            program.append(ExerciseIn(slug=item.slug, **(current_values | settings[item.slug])))
        else:
            program.append(ExerciseIn(slug=item.slug))
    return program + [ExerciseIn(slug=slug) for slug in added if slug not in present]


@app.command()
def activate(
    ctx: typer.Context,
    plan_id: PlanArgument = None,
    patient: PatientOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sign a draft plan: it becomes active, as revision 1."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        plan = _full(clinic.plans.read(_plan_id(clinic, plan_id, patient, ("draft",))))
        signed = clinic.plans.activate(plan.id, if_match=plan.version)
    if invocation.as_json:
        invocation.emit_json(signed)
        return
    invocation.out.print(
        f"Signed plan {signed.id}: {signed.status}, revision {signed.revision}, certified "
        f"{signed.certification_start} to {signed.certification_end}."
    )


def _plan_id(
    clinic: Clinic, plan_id: UUID | None, patient: str | None, states: tuple[str, ...]
) -> UUID:
    if plan_id is not None:
        return plan_id
    if patient is None:
        raise CommandFailed("Give the plan's id, or --patient.", ExitStatus.USAGE)
    found = lookup.patient(clinic, patient)
    plans = [each for each in clinic.plans.list(patient_id=found.id) if each.status in states]
    if len(plans) == 1:
        return plans[0].id
    if not plans:
        raise CommandFailed(
            f"{lookup.full_name(found)} has no {' or '.join(states)} plan.", ExitStatus.NOT_FOUND
        )
    listed = "\n".join(f"  {each.id}  {each.status}, from {each.start_date}" for each in plans)
    raise CommandFailed(
        f"{lookup.full_name(found)} has several plans; give the id:\n{listed}", ExitStatus.USAGE
    )


def _full(plan: Any) -> PlanRead:
    if not isinstance(plan, PlanRead):
        raise CommandFailed(
            "Only the plan's scheduling facts are open to your role.", ExitStatus.NOT_FOUND
        )
    return plan


def _print_plan(invocation: Invocation, plan: Any, *, quiet: bool = False) -> None:
    if invocation.as_json:
        invocation.emit_json(plan)
        return
    if quiet:
        invocation.out.print(str(plan.id))
        return
    out = invocation.out
    out.print(
        f"Plan {plan.id} ({plan.status}) for patient {short_id(plan.patient_id)} with "
        f"{plan.therapist_name} at {plan.location}: {plan.frequency_per_week} visits a week for "
        f"{plan.duration_weeks} weeks, certified {plan.certification_start} to "
        f"{plan.certification_end}"
    )
    if not isinstance(plan, PlanRead):
        return
    out.print(f"Revision {plan.revision}, version {plan.version}")
    for goal in plan.goals:
        out.print(f"  Goal ({goal.term}): {goal.text}")
    table = Table(title="Program", title_justify="left")
    for column in ("Exercise", "Part", "Dosage"):
        table.add_column(column)
    for item in plan.exercises:
        name = Text(item.name)
        name.append(f"\n{item.slug}", style="dim")
        table.add_row(name, item.part, item.dosage_in_words)
    out.print(table)


# -- clinic queue -------------------------------------------------------------------------

QUEUES = {
    "recertification": "Recertification due",
    "progress_report": "Progress report due",
    "authorization": "Authorization running out",
    "red_flags": "Red flags not yet seen",
}


def queue(
    ctx: typer.Context,
    within_days: Annotated[
        int, typer.Option(help="Recertifications due within this many days.")
    ] = 14,
    mine: Annotated[bool, typer.Option(help="Only your own patients' plans.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Your work queues: recertifications, progress reports, authorizations, red flags."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        therapist_id = invocation.user().id if mine else None
        found = {
            key: list(clinic.plans.list(therapist_id=therapist_id, **_filters(key, within_days)))
            for key in QUEUES
        }
        names = _patient_names(invocation, clinic, found) if not invocation.as_json else {}
    if invocation.as_json:
        invocation.emit_json(found)
        return
    for key, plans in found.items():
        invocation.out.print(_queue_table(QUEUES[key], plans, names))


def _filters(queue: str, within_days: int) -> dict[str, Any]:
    if queue == "red_flags":
        return {"flagged": True}
    if queue == "recertification":
        return {"due": "recertification", "within_days": within_days}
    return {"due": queue.replace("_", "-")}


def _patient_names(
    invocation: Invocation, clinic: Clinic, found: dict[str, list[PlanSummary]]
) -> dict[UUID, str]:
    patient_ids = sorted({plan.patient_id for plans in found.values() for plan in plans}, key=str)
    names = {}
    for patient_id in steps(invocation, patient_ids, "Reading the patients' names"):
        names[patient_id] = lookup.full_name(clinic.patients.read(patient_id))
    return names


def _queue_table(title: str, plans: list[PlanSummary], names: dict[UUID, str]) -> Table | str:
    if not plans:
        return f"{title}: none"
    table = Table(title=f"{title}: {len(plans)}", title_justify="left")
    for column in ("Patient", "Therapist", "Clinic", "Why", "Plan"):
        table.add_column(column)
    for plan in plans:
        why = plan.due_reason or (f"{plan.open_red_flags} open" if plan.open_red_flags else "")
        table.add_row(
            names.get(plan.patient_id, short_id(plan.patient_id)),
            plan.therapist_name,
            plan.location,
            why,
            str(plan.id),
        )
    return table
