"""HTTP routes of a plan's home sessions, red flags and adherence."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from services.common import idempotency
from services.common.audit import OriginDep
from services.common.auth import CallerDep
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyKeyHeader
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.preconditions import (
    IfMatchRequired,
    answers_with_etag,
    created_headers,
    with_etag,
)
from services.common.schemas import IsoDate
from services.plans import audit
from services.plans.home import service
from services.plans.home.schemas import (
    AdherenceRead,
    HomeSessionCreate,
    HomeSessionRead,
    HomeSessionUpdate,
    RedFlagAcknowledge,
    RedFlagRead,
)
from services.plans.models import IdempotencyKey

home_router = APIRouter(prefix="/v1/plans/{plan_id}", tags=["home sessions"])


@home_router.post(
    "/sessions",
    response_model=HomeSessionRead,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | problem_responses(403, 404, 409),
)
async def log_home_session(
    plan_id: uuid.UUID,
    data: HomeSessionCreate,
    request: Request,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Log a day's home exercises and pain (the plan's patient, on an active plan; one log a
    day: a second answers 409 naming the first). Safe to retry with an Idempotency-Key."""
    key = await idempotency.claim(
        session, IdempotencyKey, key=idempotency_key, caller=str(caller.user_id), request=request
    )
    if key.replay is not None:  # the stored answer shows the log again: audited
        await audit.record_replay(
            session, of="session.create", caller=caller, origin=origin, patient_id=caller.patient_id
        )
        return key.replay
    logged = await service.log_session(
        session, plan_id=plan_id, data=data, caller=caller, origin=origin
    )
    headers = created_headers(service.session_url(logged), logged)
    return await key.answer(201, logged, headers=headers)


@home_router.patch(
    "/sessions/{session_id}",
    response_model=HomeSessionRead,
    responses=answers_with_etag() | problem_responses(403, 404, 409, 412, 428),
)
async def correct_home_session(
    plan_id: uuid.UUID,
    session_id: uuid.UUID,
    data: HomeSessionUpdate,
    response: Response,
    caller: CallerDep,
    if_match: IfMatchRequired,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """Correct a log on the day it was performed (the plan's patient; send If-Match)."""
    corrected = await service.correct_session(
        session,
        plan_id=plan_id,
        session_id=session_id,
        data=data,
        if_match=if_match,
        caller=caller,
        origin=origin,
    )
    return with_etag(response, corrected)


@home_router.get(
    "/sessions",
    response_model=Page[HomeSessionRead],
    responses=problem_responses(403, 404),
)
async def list_home_sessions(
    plan_id: uuid.UUID,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """The plan's home logs, newest first (its patient, therapists, admins)."""
    items, next_cursor = await service.list_sessions(
        session, plan_id=plan_id, limit=limit, cursor=cursor, caller=caller, origin=origin
    )
    return Page(items=items, next_cursor=next_cursor)


@home_router.get(
    "/sessions/{session_id}",
    response_model=HomeSessionRead,
    responses=answers_with_etag() | problem_responses(403, 404),
)
async def read_home_session(
    plan_id: uuid.UUID,
    session_id: uuid.UUID,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """One home log, with its ETag (its patient, therapists, admins)."""
    found = await service.read_session(
        session, plan_id=plan_id, session_id=session_id, caller=caller, origin=origin
    )
    return with_etag(response, found)


@home_router.get(
    "/adherence",
    response_model=AdherenceRead,
    responses=problem_responses(403, 404),
)
async def read_adherence(
    plan_id: uuid.UUID,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
    from_: Annotated[
        IsoDate | None, Query(alias="from", description="First day (default: the plan's start).")
    ] = None,
    to: Annotated[IsoDate | None, Query(description="Last day (default: today).")] = None,
) -> Any:
    """Sessions logged per plan week against the home program's days per week, overall, and
    the pain series with its trend (its patient, therapists, admins)."""
    return await service.read_adherence(
        session, plan_id=plan_id, asked_from=from_, asked_to=to, caller=caller, origin=origin
    )


@home_router.get(
    "/red-flags",
    response_model=Page[RedFlagRead],
    responses=problem_responses(403, 404),
)
async def list_red_flags(
    plan_id: uuid.UUID,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
    open_only: Annotated[
        bool, Query(alias="open", description="Only those not yet acknowledged.")
    ] = False,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """The plan's red flags, newest first, with the medical options to consider (therapists,
    admins)."""
    items, next_cursor = await service.list_red_flags(
        session,
        plan_id=plan_id,
        open_only=open_only,
        limit=limit,
        cursor=cursor,
        caller=caller,
        origin=origin,
    )
    return Page(items=items, next_cursor=next_cursor)


@home_router.post(
    "/red-flags/{flag_id}/acknowledge",
    response_model=RedFlagRead,
    responses=problem_responses(403, 404, 409),
)
async def acknowledge_red_flag(
    plan_id: uuid.UUID,
    flag_id: uuid.UUID,
    data: RedFlagAcknowledge,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """Acknowledge a red flag, with what was done about it (therapists, admins; once)."""
    return await service.acknowledge_red_flag(
        session, plan_id=plan_id, flag_id=flag_id, note=data.note, caller=caller, origin=origin
    )
