"""The exercise library: find, add, change (optimistic concurrency), retire and delete
exercises. Functions flush; the request's session commits. Every edit is audited (no patient
is involved, so `patient_id` stays empty). Protocols are in `protocols.py`."""

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.audit import Origin
from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import Conflict, NotFound
from services.common.pagination import decode_cursor, page_of
from services.common.preconditions import update_if_version
from services.plans.content import Dosage
from services.plans.library.entries import insert_claiming_slug, record_change
from services.plans.library.schemas import (
    ExerciseCreate,
    ExerciseDosage,
    ExerciseRead,
    ExerciseUpdate,
)
from services.plans.library.search import ExerciseSearch, search_statement
from services.plans.models import Exercise, ProgramExerciseUse, Protocol

# A dosage field and the exercise column holding its default.
DOSAGE_COLUMNS = {name: f"default_{name}" for name in Dosage.model_fields} | {"note": "dosage_note"}


def exercise_read(exercise: Exercise) -> ExerciseRead:
    dosage = {name: getattr(exercise, column) for name, column in DOSAGE_COLUMNS.items()}
    return ExerciseRead.model_validate(exercise.model_dump() | {"default_dosage": dosage})


def _dosage_columns(dosage: ExerciseDosage) -> dict[str, Any]:
    return {DOSAGE_COLUMNS[name]: value for name, value in dosage.model_dump().items()}


def _row_values(data: ExerciseCreate | ExerciseUpdate, fields: Collection[str]) -> dict[str, Any]:
    """These fields of the body (lists and the dosage whole), as the row stores them."""
    sent = data.model_dump(exclude={"default_dosage"})
    values = {name: sent[name] for name in fields if name in sent}
    if "default_dosage" in fields:
        values |= _dosage_columns(data.default_dosage)  # type: ignore[arg-type]
    return values


# -- reading ----------------------------------------------------------------------------------


async def search_exercises(
    session: AsyncSession, *, search: ExerciseSearch, limit: int, cursor: str | None
) -> tuple[list[Exercise], str | None]:
    """A page of the library in name order, after the cursor."""
    after_key = decode_cursor(cursor, [str, uuid.UUID]) if cursor else None
    rows = (
        await session.exec(search_statement(search, after_key=after_key, limit=limit + 1))
    ).all()
    return page_of(rows, limit, lambda e: (e.name, e.id))


async def exercise_by_slug(
    session: AsyncSession, *, slug: str, for_update: bool = False
) -> Exercise:
    """The exercise, retired or not (404 when none has the slug)."""
    statement = select(Exercise).where(Exercise.slug == slug)
    if for_update:
        statement = statement.with_for_update()
    found = (await session.exec(statement)).one_or_none()
    if found is None:
        raise NotFound(f"No exercise has the slug {slug!r}.")
    return found


# -- editing ----------------------------------------------------------------------------------


async def add_exercise(
    session: AsyncSession, *, data: ExerciseCreate, caller: Caller, origin: Origin
) -> Exercise:
    """Insert unless the slug is taken (409)."""
    exercise = await insert_claiming_slug(
        session,
        Exercise,
        _row_values(data, ExerciseCreate.model_fields),
        taken=f"An exercise already has the slug {data.slug!r}; choose another.",
    )
    await record_change(session, "exercise.create", exercise, caller=caller, origin=origin)
    return exercise


async def change_exercise(
    session: AsyncSession,
    *,
    slug: str,
    data: ExerciseUpdate,
    expected_versions: Collection[int] | None,
    caller: Caller,
    origin: Origin,
) -> Exercise:
    """Apply the fields sent if the exercise is still at one of expected_versions (the
    If-Match; None for `*`: at the version read here)."""
    exercise = await exercise_by_slug(session, slug=slug)
    changed = await update_if_version(
        session,
        Exercise,
        exercise.id,
        expected_versions or exercise.version,
        _row_values(data, data.model_fields_set),
    )
    fields = sorted(data.model_fields_set)
    await record_change(
        session,
        "exercise.update",
        changed,
        caller=caller,
        origin=origin,
        fields=fields,
        version=changed.version,
    )
    return changed


async def retire_exercise(
    session: AsyncSession,
    *,
    slug: str,
    expected_versions: Collection[int] | None,
    caller: Caller,
    origin: Origin,
) -> Exercise:
    """Take the exercise out of what new plans and protocols may use; plans that have it
    keep it (they hold their own copy of its words)."""
    exercise = await exercise_by_slug(session, slug=slug)
    if exercise.retired_at is not None:
        raise Conflict(f"The exercise {slug!r} was retired on {exercise.retired_at:%Y-%m-%d}.")
    retired = await update_if_version(
        session,
        Exercise,
        exercise.id,
        expected_versions or exercise.version,
        {"retired_at": utcnow()},
    )
    await record_change(
        session, "exercise.retire", retired, caller=caller, origin=origin, version=retired.version
    )
    return retired


async def delete_exercise(
    session: AsyncSession, *, slug: str, caller: Caller, origin: Origin
) -> None:
    """Delete an exercise nothing uses. The row lock makes the checks hold until the delete
    commits: a plan adding the exercise meanwhile waits on it (its foreign key), and so does
    a protocol naming it (protocols.py locks the exercises it names)."""
    exercise = await exercise_by_slug(session, slug=slug, for_update=True)
    used = exists().where(col(ProgramExerciseUse.exercise_id) == exercise.id)
    if (await session.exec(select(used))).one():
        raise Conflict(
            f"A plan of care has used the exercise {slug!r}, so it is kept: retire it instead."
        )
    protocols = await _protocols_listing(session, exercise.id)
    if protocols:
        raise Conflict(
            f"The protocols {', '.join(protocols)} list the exercise {slug!r}: take it out of "
            "them first, or retire it instead."
        )
    await record_change(session, "exercise.delete", exercise, caller=caller, origin=origin)
    await session.delete(exercise)
    await session.flush()


async def _protocols_listing(session: AsyncSession, exercise_id: uuid.UUID) -> list[str]:
    listing = col(Protocol.exercises).contains([{"exercise_id": str(exercise_id)}])
    statement = select(Protocol.slug).where(listing).order_by(Protocol.slug)
    return list((await session.exec(statement)).all())
