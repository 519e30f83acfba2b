"""HTTP routes of the plans service."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.common.auth import CallerDep
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.plans import service
from services.plans.schemas import ExerciseRead

exercises_router = APIRouter(prefix="/v1/exercises", tags=["exercises"])
Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,80}$")]


@exercises_router.get("", response_model=Page[ExerciseRead], responses=problem_responses(401))
async def list_exercises(
    caller: CallerDep,
    session: SessionDep,
    body_region: Annotated[str | None, Query(max_length=40)] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ExerciseRead]:
    """The exercise library with each exercise's default dosage, by name."""
    rows, next_cursor = await service.list_exercises(
        session, body_region=body_region, tag=tag, limit=limit, cursor=cursor
    )
    return Page(items=[service.exercise_read(e) for e in rows], next_cursor=next_cursor)


@exercises_router.get("/{slug}", response_model=ExerciseRead, responses=problem_responses(401, 404))
async def read_exercise(slug: Slug, caller: CallerDep, session: SessionDep) -> ExerciseRead:
    """One exercise of the library."""
    return service.exercise_read(await service.exercise_by_slug(session, slug=slug))
