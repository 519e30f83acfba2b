"""HTTP routes of the exercise library and the condition protocols. Every user reads them;
admins and therapists edit exercises; admins alone edit protocols."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, require_role
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.preconditions import (
    ETAG_HEADER,
    IfMatchOptional,
    IfMatchRequired,
    answers_with_etag,
    created_headers,
    with_etag,
)
from services.plans.library import protocols, service
from services.plans.library.schemas import (
    ExerciseCreate,
    ExerciseRead,
    ExerciseUpdate,
    ProtocolCreate,
    ProtocolRead,
    ProtocolUpdate,
)
from services.plans.library.search import ExerciseSearch

exercises_router = APIRouter(prefix="/v1/exercises", tags=["exercises"])
protocols_router = APIRouter(prefix="/v1/protocols", tags=["protocols"])

LibraryEditor = Annotated[Caller, Depends(require_role("admin", "therapist"))]
Admin = Annotated[Caller, Depends(require_role("admin"))]
SlugPath = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,80}$")]
TagQuery = Annotated[str | None, Query(pattern=r"^[a-z0-9-]{1,40}$")]
CREATED: dict[int | str, dict[str, Any]] = {
    201: {
        "headers": ETAG_HEADER
        | {
            "Location": {
                "description": "Where the new entry is read.",
                "required": True,
                "schema": {"type": "string"},
            }
        }
    }
}


# -- exercises --------------------------------------------------------------------------------


@exercises_router.get("", response_model=Page[ExerciseRead])
async def list_exercises(
    caller: CallerDep,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]*$",
            description="Words that must all appear (any case) in the name, purpose, "
            "instructions or tags.",
        ),
    ] = None,
    tag: TagQuery = None,
    equipment: Annotated[TagQuery, Query(description="An equipment tag it needs.")] = None,
    setting: Annotated[
        Literal["home", "clinic", "both"] | None,
        Query(description="Where it can be done: home and clinic include `both`."),
    ] = None,
    body_region: TagQuery = None,
    include_retired: bool = False,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ExerciseRead]:
    """Search the exercise library, by name; retired exercises only with include_retired."""
    search = ExerciseSearch(
        q=q,
        tag=tag,
        equipment=equipment,
        setting=setting,
        body_region=body_region,
        include_retired=include_retired,
    )
    rows, next_cursor = await service.search_exercises(
        session, search=search, limit=limit, cursor=cursor
    )
    return Page(items=[service.exercise_read(e) for e in rows], next_cursor=next_cursor)


@exercises_router.get(
    "/{slug}", response_model=ExerciseRead, responses=answers_with_etag() | problem_responses(404)
)
async def read_exercise(
    slug: SlugPath, response: Response, caller: CallerDep, session: SessionDep
) -> ExerciseRead:
    """One exercise of the library (retired ones too), with its ETag."""
    exercise = await service.exercise_by_slug(session, slug=slug)
    return service.exercise_read(with_etag(response, exercise))


@exercises_router.post(
    "",
    response_model=ExerciseRead,
    status_code=status.HTTP_201_CREATED,
    responses=CREATED | problem_responses(409),
)
async def add_exercise(
    data: ExerciseCreate,
    response: Response,
    caller: LibraryEditor,
    session: SessionDep,
    origin: OriginDep,
) -> ExerciseRead:
    """Add an exercise to the library (admins and therapists); its slug must be new."""
    exercise = await service.add_exercise(session, data=data, caller=caller, origin=origin)
    response.headers.update(created_headers(f"/v1/exercises/{exercise.slug}", exercise))
    return service.exercise_read(exercise)


@exercises_router.patch(
    "/{slug}",
    response_model=ExerciseRead,
    responses=answers_with_etag() | problem_responses(404, 412, 428),
)
async def change_exercise(
    slug: SlugPath,
    data: ExerciseUpdate,
    response: Response,
    caller: LibraryEditor,
    if_match: IfMatchRequired,
    session: SessionDep,
    origin: OriginDep,
) -> ExerciseRead:
    """Change an exercise (admins and therapists) with If-Match; plans keep their copy."""
    exercise = await service.change_exercise(
        session,
        slug=slug,
        data=data,
        expected_versions=if_match.versions(),
        caller=caller,
        origin=origin,
    )
    return service.exercise_read(with_etag(response, exercise))


@exercises_router.post(
    "/{slug}/retire",
    response_model=ExerciseRead,
    responses=answers_with_etag() | problem_responses(404, 409, 412),
)
async def retire_exercise(
    slug: SlugPath,
    response: Response,
    caller: LibraryEditor,
    if_match: IfMatchOptional,
    session: SessionDep,
    origin: OriginDep,
) -> ExerciseRead:
    """Retire an exercise (admins and therapists): no new plan or protocol takes it."""
    exercise = await service.retire_exercise(
        session, slug=slug, expected_versions=if_match.versions(), caller=caller, origin=origin
    )
    return service.exercise_read(with_etag(response, exercise))


@exercises_router.delete(
    "/{slug}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404, 409)
)
async def delete_exercise(
    slug: SlugPath, caller: LibraryEditor, session: SessionDep, origin: OriginDep
) -> Response:
    """Delete an exercise no plan or protocol uses (admins and therapists); else retire it."""
    await service.delete_exercise(session, slug=slug, caller=caller, origin=origin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- protocols --------------------------------------------------------------------------------


@protocols_router.get("", response_model=Page[ProtocolRead])
async def list_protocols(
    caller: CallerDep, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[ProtocolRead]:
    """The condition protocols, by name: what a plan of care can start from."""
    rows, next_cursor = await protocols.list_protocols(session, limit=limit, cursor=cursor)
    return Page(items=await protocols.protocol_reads(session, rows), next_cursor=next_cursor)


@protocols_router.get(
    "/{slug}", response_model=ProtocolRead, responses=answers_with_etag() | problem_responses(404)
)
async def read_protocol(
    slug: SlugPath, response: Response, caller: CallerDep, session: SessionDep
) -> ProtocolRead:
    """One protocol: condition, ICD-10-CM codes, exercises, education, red flags, goals."""
    protocol = await protocols.protocol_or_404(session, slug=slug)
    [read] = await protocols.protocol_reads(session, [with_etag(response, protocol)])
    return read


@protocols_router.post(
    "",
    response_model=ProtocolRead,
    status_code=status.HTTP_201_CREATED,
    responses=CREATED | problem_responses(409),
)
async def add_protocol(
    data: ProtocolCreate, response: Response, caller: Admin, session: SessionDep, origin: OriginDep
) -> ProtocolRead:
    """Add a protocol (admins); its exercises are live exercises of the library, by slug."""
    protocol = await protocols.add_protocol(session, data=data, caller=caller, origin=origin)
    response.headers.update(created_headers(f"/v1/protocols/{protocol.slug}", protocol))
    [read] = await protocols.protocol_reads(session, [protocol])
    return read


@protocols_router.patch(
    "/{slug}",
    response_model=ProtocolRead,
    responses=answers_with_etag() | problem_responses(404, 412, 428),
)
async def change_protocol(
    slug: SlugPath,
    data: ProtocolUpdate,
    response: Response,
    caller: Admin,
    if_match: IfMatchRequired,
    session: SessionDep,
    origin: OriginDep,
) -> ProtocolRead:
    """Change a protocol (admins) with If-Match; plans made from it keep their copy."""
    protocol = await protocols.change_protocol(
        session,
        slug=slug,
        data=data,
        expected_versions=if_match.versions(),
        caller=caller,
        origin=origin,
    )
    [read] = await protocols.protocol_reads(session, [with_etag(response, protocol)])
    return read
