"""HTTP routes of what a patient reads of their own plans of care (patients only).

The answers are serialised as built, without FastAPI validating them again against
`response_model` (which still documents them): a read model never validates, and the list is
on the clinic's hottest path (bench/)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from services.common.audit import OriginDep
from services.common.auth import Caller, require_role
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.preconditions import answers_with_etag
from services.plans.me import service
from services.plans.me.schemas import MyPlanRead

me_plans_router = APIRouter(prefix="/v1/me/plans", tags=["me"])
PatientDep = Annotated[Caller, Depends(require_role("patient"))]


def _json(body: BaseModel, headers: dict[str, str] | None = None) -> Response:
    return Response(body.model_dump_json(), media_type="application/json", headers=headers)


@me_plans_router.get("", response_model=Page[MyPlanRead])
async def list_my_plans(
    caller: PatientDep,
    session: SessionDep,
    origin: OriginDep,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> Response:
    """Your active and on-hold plans of care, newest first, each with its home program."""
    page = await service.list_my_plans(
        session, caller=caller, origin=origin, limit=limit, cursor=cursor
    )
    return _json(page)


@me_plans_router.get(
    "/{plan_id}",
    response_model=MyPlanRead,
    responses=answers_with_etag() | problem_responses(404),
)
async def read_my_plan(
    plan_id: uuid.UUID, caller: PatientDep, session: SessionDep, origin: OriginDep
) -> Response:
    """One of your active or on-hold plans of care, with its ETag."""
    plan, version = await service.read_my_plan(
        session, plan_id=plan_id, caller=caller, origin=origin
    )
    return _json(plan, headers={"ETag": f'"{version}"'})
