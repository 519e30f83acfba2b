"""HTTP routes of the scheduling service."""

from typing import Annotated, Any

from fastapi import APIRouter, Path

from services.common.auth import CallerDep
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import Page
from services.scheduling import service
from services.scheduling.schemas import AppointmentTypeRead, LocationRead

locations_router = APIRouter(prefix="/v1/locations", tags=["locations"])
types_router = APIRouter(prefix="/v1/appointment-types", tags=["appointment types"])
Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]


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
    """The kinds of visit, their length and usual procedure code."""
    return Page(items=list(await service.list_appointment_types(session)))
