"""HTTP routes of the availability search."""

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.common.auth import StaffDep
from services.common.columns import utcnow
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.scheduling.availability import service
from services.scheduling.availability.schemas import AvailabilityRead, NextSlotsRead
from services.scheduling.availability.service import NextSearch, SlotSearch
from services.scheduling.reference.schemas import SLUG_PATTERN
from services.scheduling.therapists.schemas import Moment

availability_router = APIRouter(prefix="/v1/availability", tags=["availability"])
LocationSlug = Annotated[
    str, Query(pattern=SLUG_PATTERN, max_length=40, description="A clinic's slug.")
]
TypeSlug = Annotated[
    str,
    Query(
        alias="type",
        pattern=SLUG_PATTERN,
        max_length=40,
        description="An appointment type's slug: `evaluation`, `treatment`, `re-evaluation`.",
    ),
]
TherapistQuery = Annotated[
    uuid.UUID | None, Query(description="Only this therapist; all who work there when absent.")
]


def slot_minutes(request: Request) -> int:
    return int(request.app.state.settings.slot_minutes)


SlotMinutes = Annotated[int, Depends(slot_minutes)]


@availability_router.get("", response_model=AvailabilityRead, responses=problem_responses(403))
async def read_availability(
    caller: StaffDep,
    session: SessionDep,
    step: SlotMinutes,
    location: LocationSlug,
    kind: TypeSlug,
    first: Annotated[date, Query(alias="from", description="First local date, YYYY-MM-DD.")],
    last: Annotated[
        date, Query(alias="to", description="Last local date, at most 30 days after `from`.")
    ],
    therapist_id: TherapistQuery = None,
) -> Any:
    """Free slots at one clinic for one kind of visit over local dates (staff), flat and by
    start: each on the clinic's clock with its offset, with its therapist. A slot is free
    when its whole length falls within the therapist's hours there and the clinic's opening
    hours, clear of their time off; on the days the clocks change, exactly the slots the
    hours allow (a skipped hour has none, a repeated one is offered at both offsets)."""
    search = SlotSearch(location, kind, first, last, therapist_id)
    return await service.availability(session, search=search, step_minutes=step, now=utcnow())


@availability_router.get("/next", response_model=NextSlotsRead, responses=problem_responses(403))
async def next_availability(
    caller: StaffDep,
    session: SessionDep,
    step: SlotMinutes,
    kind: TypeSlug,
    after: Annotated[
        Moment | None, Query(description="Slots starting at or after this moment; now if absent.")
    ] = None,
    locations: Annotated[
        list[Annotated[str, Query(pattern=SLUG_PATTERN, max_length=40)]] | None,
        Query(max_length=10, description="Clinic slugs, repeated; every clinic if absent."),
    ] = None,
    therapist_id: TherapistQuery = None,
    limit: Annotated[int, Query(ge=1, le=50, description="How many slots, 1 to 50.")] = 10,
) -> Any:
    """The first free slots for one kind of visit across the chosen clinics (all three by
    default), optionally with one therapist, in one search: the earliest `limit` within the
    next 62 days (staff)."""
    now = utcnow()
    search = NextSearch(kind, after or now, locations, therapist_id, limit)
    return await service.next_free(session, search=search, step_minutes=step, now=now)
