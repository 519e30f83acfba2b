"""A plan's program: which exercises, how much of each, and in which part (home or clinic).

An exercise goes in the home part only where it can be done at home (its `setting` is not
`clinic`) and the patient has all its equipment there (every tag but `none` is in the plan's
`home_equipment`): toe press-downs need a cable machine, so they land in the clinic part.
Asked for at home where they cannot be done, that is a 422 naming the item's `part`.
An item copies the library's words when it first enters the program and keeps them after,
so a later edit of the library never changes what a patient was given.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import InvalidInput
from services.plans.care.schemas import AMOUNT_FIELDS, ExerciseIn
from services.plans.content import Dosage, Part, ProgramItem, ProtocolExercise
from services.plans.library.lookup import exercises_by_slug
from services.plans.models import Exercise, ProgramExerciseUse, Protocol

# The plan's bounds (content.Dosage), to bring a library default inside them.
_BOUNDS = {"sets": (1, 10), "reps": (1, 100), "hold_seconds": (0, 600)}
_BOUNDS |= {f"{name}_max": bounds for name, bounds in _BOUNDS.items()}
_BOUNDS |= {"times_per_day": (1, 6), "days_per_week": (1, 7)}


@dataclass(frozen=True, slots=True)
class ProgramContext:
    """What an item's defaults and placement depend on."""

    home_equipment: Sequence[str]
    protocol: Protocol | None
    current: dict[str, dict[str, Any]]  # the program's items now, by slug

    def protocol_dosage(self, slug: str) -> Dosage | None:
        for entry in self.protocol.exercises if self.protocol else []:
            if entry.get("slug") == slug:
                return Dosage.model_construct(**entry.get("dosage", {}))
        return None


def fits(exercise: Exercise, part: Part, home_equipment: Iterable[str]) -> bool:
    if part == "clinic":
        return exercise.setting != "home"
    needed = set(exercise.equipment) - {"none"}
    return exercise.setting != "clinic" and needed <= set(home_equipment)


def placed(exercise: Exercise, asked: Part | None, kept: str | None, home: Sequence[str]) -> Part:
    """The part asked for (ValueError where it cannot be), else the part it had if it still
    fits, else home where it fits, else the clinic."""
    if asked is not None:
        if not fits(exercise, asked, home):
            raise ValueError(_cannot_be_in(exercise, asked))
        return asked
    parts: tuple[Part, ...] = ("home", "clinic")
    if kept in parts and fits(exercise, kept, home):  # type: ignore[arg-type]
        return kept  # type: ignore[return-value]
    for part in parts:
        if fits(exercise, part, home):
            return part
    raise ValueError(_cannot_be_in(exercise, "home"))


def _cannot_be_in(exercise: Exercise, part: Part) -> str:
    if part == "clinic":
        return f"{exercise.name} is done at home only"
    needed = ", ".join(sorted(set(exercise.equipment) - {"none"}))
    reasons = ["is done in the clinic only"] if exercise.setting == "clinic" else []
    reasons += [f"needs {needed}, which home_equipment does not list"] if needed else []
    return f"{exercise.name} cannot be in the home part: it {' and '.join(reasons)}"


def library_dosage(exercise: Exercise) -> Dosage:
    """The library's default dosage, brought inside a plan's bounds."""
    values = {name: getattr(exercise, f"default_{name}", None) for name in AMOUNT_FIELDS}
    bounded = {
        name: min(max(value, _BOUNDS[name][0]), _BOUNDS[name][1])
        for name, value in values.items()
        if value is not None
    }
    return Dosage.model_construct(**bounded, side=exercise.default_side)


def _dosage(asked: ExerciseIn, exercise: Exercise, context: ProgramContext) -> Dosage:
    kept = context.current.get(asked.slug, {}).get("dosage")
    base = (
        Dosage.model_construct(**kept)
        if kept is not None
        else context.protocol_dosage(asked.slug) or library_dosage(exercise)
    )
    amount = asked if asked.amount_given() else base
    side = asked.side if "side" in asked.model_fields_set else base.side
    return Dosage.model_construct(**{n: getattr(amount, n) for n in AMOUNT_FIELDS}, side=side)


def _note(asked: ExerciseIn, name: str, kept: dict[str, Any]) -> str | None:
    return getattr(asked, name) if name in asked.model_fields_set else kept.get(name)


_WORDS = ("name", "purpose", "instructions", "cues", "precautions", "equipment")


def program_item(
    asked: ExerciseIn, exercise: Exercise, part: Part, context: ProgramContext
) -> dict[str, Any]:
    """The stored item for one asked exercise: the words it had, or the library's now."""
    kept = context.current.get(asked.slug, {})
    words = kept or {name: getattr(exercise, name) for name in _WORDS}
    item = ProgramItem.model_construct(
        **{name: words[name] for name in _WORDS},
        exercise_id=exercise.id,
        slug=exercise.slug,
        part=part,
        dosage=_dosage(asked, exercise, context),
        patient_note=_note(asked, "patient_note", kept),
        staff_note=_note(asked, "staff_note", kept),
    )
    return item.model_dump(mode="json")


async def program_of(
    session: AsyncSession, asked: Sequence[ExerciseIn], context: ProgramContext
) -> list[dict[str, Any]]:
    """The program for these items (`exercises` of a body), in their order. A slug the
    library does not have (or has retired, unless the plan already holds it) is a 422 at
    the item's `slug`, a part it cannot be in at its `part`."""
    found = await exercises_by_slug(session, (a.slug for a in asked), include_retired=True)
    items = []
    for index, entry in enumerate(asked):
        exercise = found.get(entry.slug)
        if exercise is None or (exercise.retired_at and entry.slug not in context.current):
            detail = f"No exercise of the library has the slug {entry.slug!r}."
            raise InvalidInput(detail, field=f"body.exercises.{index}.slug")
        kept = context.current.get(entry.slug, {}).get("part")
        try:
            part = placed(exercise, entry.part, kept, context.home_equipment)
        except ValueError as exc:
            raise InvalidInput(str(exc), field=f"body.exercises.{index}.part") from exc
        items.append(program_item(entry, exercise, part, context))
    return items


async def protocol_program(
    session: AsyncSession, protocol: Protocol, context: ProgramContext
) -> list[dict[str, Any]]:
    """A protocol's exercises with its dosage, each where the patient can do it (a part the
    protocol names but the patient cannot do it in is no error: it goes where it fits); an
    exercise since retired from the library is left out."""
    entries = [ProtocolExercise.model_construct(**e) for e in protocol.exercises]
    live = await exercises_by_slug(session, (e.slug for e in entries))
    items = []
    for entry in (e for e in entries if e.slug in live):
        exercise, home = live[entry.slug], context.home_equipment
        preferred = entry.part if entry.part and fits(exercise, entry.part, home) else None
        part = _placed_or_422(exercise, preferred, None, home)
        asked = ExerciseIn.model_validate({"slug": entry.slug})
        items.append(program_item(asked, exercise, part, context))
    return items


async def replaced(
    session: AsyncSession, program: list[dict[str, Any]], context: ProgramContext
) -> list[dict[str, Any]]:
    """The program again after the patient's home equipment changed: each item keeps its
    part where it still fits, else moves to where it does."""
    found = await exercises_by_slug(session, (i["slug"] for i in program), include_retired=True)
    moved = []
    for item in program:
        exercise = found[item["slug"]]  # program_exercise_use keeps it from being deleted
        part = _placed_or_422(exercise, None, item["part"], context.home_equipment)
        moved.append(item | {"part": part})
    return moved


def _placed_or_422(
    exercise: Exercise, asked: Part | None, kept: str | None, home: Sequence[str]
) -> Part:
    try:
        return placed(exercise, asked, kept, home)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="body.home_equipment") from exc


async def record_use(session: AsyncSession, plan_id: Any, program: list[dict[str, Any]]) -> None:
    """Mark each exercise as used by a plan, so the library retires it rather than delete it."""
    rows = [{"exercise_id": item["exercise_id"], "plan_id": plan_id} for item in program]
    if rows:
        statement = insert(ProgramExerciseUse).values(rows).on_conflict_do_nothing()
        await session.exec(statement)  # type: ignore[call-overload]
