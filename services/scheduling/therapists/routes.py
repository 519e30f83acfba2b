"""HTTP routes of a therapist's weekly hours and time off."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response, status

from services.common.auth import Caller, StaffDep, require_role
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.scheduling.clients import PatientsDep
from services.scheduling.therapists import service
from services.scheduling.therapists.schemas import (
    MAX_WEEK_ENTRIES,
    HoursEntry,
    TherapistWeekRead,
    TimeOffCreate,
    TimeOffRead,
)

therapists_router = APIRouter(prefix="/v1/therapists", tags=["therapists"])
Admin = Annotated[Caller, Depends(require_role("admin"))]
AdminOrTherapist = Annotated[Caller, Depends(require_role("admin", "therapist"))]
Week = Annotated[
    list[HoursEntry],
    Body(
        max_length=MAX_WEEK_ENTRIES,
        description="The whole week: every stretch at every clinic. An empty list clears it.",
    ),
]


@therapists_router.put(
    "/{therapist_id}/hours",
    response_model=TherapistWeekRead,
    responses=problem_responses(403, 404, 409),
)
async def replace_hours(
    therapist_id: uuid.UUID,
    hours: Week,
    caller: Admin,
    session: SessionDep,
    patients: PatientsDep,
) -> Any:
    """Set a therapist's regular week, replacing the one stored (admins). Each entry is a
    clinic, a weekday (0 = Monday) and local start and end times within its opening hours;
    no two entries of one weekday may overlap, even at different clinics."""
    active = await service.confirm_therapist(patients, therapist_id, caller=caller)
    return await service.replace_week(
        session, therapist_id=therapist_id, entries=hours, active=active
    )


@therapists_router.get(
    "/{therapist_id}/hours", response_model=TherapistWeekRead, responses=problem_responses(403)
)
async def read_hours(therapist_id: uuid.UUID, caller: StaffDep, session: SessionDep) -> Any:
    """A therapist's regular week (admins and the front desk; a therapist their own). An id
    with no hours answers an empty week."""
    service.check_reach(caller, therapist_id, front_desk=True)
    return await service.week_of(session, therapist_id=therapist_id)


@therapists_router.post(
    "/{therapist_id}/time-off",
    response_model=TimeOffRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409),
)
async def add_time_off(
    therapist_id: uuid.UUID,
    data: TimeOffCreate,
    response: Response,
    caller: AdminOrTherapist,
    session: SessionDep,
    patients: PatientsDep,
) -> Any:
    """Record time away (admins; a therapist their own): nothing is bookable with the
    therapist from `start` to `end`, at any clinic. 409 if it overlaps time off recorded."""
    service.check_reach(caller, therapist_id)
    await service.confirm_therapist(patients, therapist_id, caller=caller)
    away = await service.add_time_off(session, therapist_id=therapist_id, data=data, caller=caller)
    response.headers["Location"] = f"/v1/therapists/{therapist_id}/time-off/{away.id}"
    return away


@therapists_router.get(
    "/{therapist_id}/time-off", response_model=Page[TimeOffRead], responses=problem_responses(403)
)
async def list_time_off(
    therapist_id: uuid.UUID,
    caller: AdminOrTherapist,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """A therapist's time off, by start (admins; a therapist their own)."""
    service.check_reach(caller, therapist_id)
    items, next_cursor = await service.list_time_off(
        session, therapist_id=therapist_id, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@therapists_router.delete(
    "/{therapist_id}/time-off/{time_off_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
async def remove_time_off(
    therapist_id: uuid.UUID,
    time_off_id: uuid.UUID,
    caller: AdminOrTherapist,
    session: SessionDep,
) -> None:
    """Take back time off (admins; a therapist their own): the time is bookable again."""
    service.check_reach(caller, therapist_id)
    await service.remove_time_off(session, therapist_id=therapist_id, time_off_id=time_off_id)
