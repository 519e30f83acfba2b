"""What the plans service does. Functions flush; the request's session commits."""

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import NotFound
from services.common.pagination import after, decode_cursor, page_of
from services.plans.models import Exercise
from services.plans.schemas import Dosage, ExerciseRead


def exercise_read(exercise: Exercise) -> ExerciseRead:
    dosage = Dosage(
        sets=exercise.default_sets,
        reps=exercise.default_reps,
        hold_seconds=exercise.default_hold_seconds,
        times_per_day=exercise.default_times_per_day,
        days_per_week=exercise.default_days_per_week,
        side=exercise.default_side,  # type: ignore[arg-type]
        note=exercise.dosage_note,
    )
    return ExerciseRead(**exercise.model_dump(), default_dosage=dosage)


async def list_exercises(
    session: AsyncSession,
    *,
    body_region: str | None,
    tag: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Exercise], str | None]:
    order = (Exercise.name, Exercise.id)
    statement = select(Exercise)
    if body_region:
        statement = statement.where(Exercise.body_region == body_region)
    if tag:
        statement = statement.where(Exercise.tags.contains([tag]))  # type: ignore[attr-defined]
    if cursor:
        statement = statement.where(after(order, decode_cursor(cursor, [str, uuid.UUID])))
    rows = (await session.exec(statement.order_by(*order).limit(limit + 1))).all()
    return page_of(rows, limit, lambda e: (e.name, e.id))


async def exercise_by_slug(session: AsyncSession, *, slug: str) -> Exercise:
    found = (await session.exec(select(Exercise).where(Exercise.slug == slug))).one_or_none()
    if found is None:
        raise NotFound(f"No exercise has the slug {slug!r}.")
    return found
