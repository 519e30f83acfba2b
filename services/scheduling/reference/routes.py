"""HTTP routes of the reference data: the clinics and the kinds of visit."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from services.common.auth import Caller, CallerDep, require_role
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import Page
from services.common.preconditions import IfMatchRequired, answers_with_etag, with_etag
from services.scheduling.reference import service
from services.scheduling.reference.schemas import (
    SLUG_PATTERN,
    AppointmentTypeCreate,
    AppointmentTypeRead,
    AppointmentTypeUpdate,
    LocationRead,
)

locations_router = APIRouter(prefix="/v1/locations", tags=["locations"])
types_router = APIRouter(prefix="/v1/appointment-types", tags=["appointment types"])
Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]
TypeSlug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=40)]
Admin = Annotated[Caller, Depends(require_role("admin"))]


@locations_router.get("", response_model=Page[LocationRead], responses=problem_responses(401))
async def list_locations(caller: CallerDep, session: SessionDep) -> Any:
    """The clinics, with address, time zone, opening hours and rooms."""
    return Page(items=list(await service.list_locations(session)))


@locations_router.get("/{slug}", response_model=LocationRead, responses=problem_responses(401, 404))
async def read_location(slug: Slug, caller: CallerDep, session: SessionDep) -> Any:
    """One clinic by its slug (`gaithersburg`, `frederick`, `columbia`)."""
    return await service.location_by_slug(session, slug=slug)


@types_router.get("", response_model=Page[AppointmentTypeRead], responses=problem_responses(401))
async def list_appointment_types(caller: CallerDep, session: SessionDep) -> Any:
    """The kinds of visit, their length and procedure codes."""
    return Page(items=list(await service.list_appointment_types(session)))


@types_router.post(
    "",
    response_model=AppointmentTypeRead,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | problem_responses(403, 409),
)
async def create_appointment_type(
    data: AppointmentTypeCreate, response: Response, caller: Admin, session: SessionDep
) -> Any:
    """Add a kind of visit (admins)."""
    kind = await service.create_appointment_type(session, data=data)
    response.headers["Location"] = f"/v1/appointment-types/{kind.slug}"
    return with_etag(response, kind)


@types_router.get(
    "/{type_slug}",
    response_model=AppointmentTypeRead,
    responses=answers_with_etag() | problem_responses(404),
)
async def read_appointment_type(
    type_slug: TypeSlug, response: Response, caller: CallerDep, session: SessionDep
) -> Any:
    """One kind of visit by its slug (`evaluation`, `treatment`, `re-evaluation`), with its ETag."""
    return with_etag(response, await service.appointment_type_by_slug(session, slug=type_slug))


@types_router.patch(
    "/{type_slug}",
    response_model=AppointmentTypeRead,
    responses=answers_with_etag() | problem_responses(403, 404, 412, 428),
)
async def update_appointment_type(
    type_slug: TypeSlug,
    data: AppointmentTypeUpdate,
    response: Response,
    caller: Admin,
    if_match: IfMatchRequired,
    session: SessionDep,
) -> Any:
    """Change a kind of visit (admins). Send If-Match with the ETag you read: if it changed
    since, the answer is 412 and nothing changes. Visits already booked keep their length."""
    kind = await service.update_appointment_type(
        session, slug=type_slug, data=data, expected_versions=if_match.versions()
    )
    return with_etag(response, kind)
