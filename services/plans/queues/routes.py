"""HTTP route of the therapist queues: `GET /v1/plans` with filters."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.common.audit import OriginDep
from services.common.auth import Caller, require_role
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.plans.queues import service
from services.plans.queues.schemas import Due, PlanQueue, PlanStatus, PlanSummary

queues_router = APIRouter(prefix="/v1/plans", tags=["plans"])
# The summaries carry clinical counts (visits since the last report, open red flags): the
# front desk reads a plan's scheduling facts one plan at a time instead.
Clinician = Annotated[Caller, Depends(require_role("therapist", "admin"))]


@queues_router.get("", response_model=Page[PlanSummary], responses=problem_responses(403))
async def list_plans(
    caller: Clinician,
    session: SessionDep,
    origin: OriginDep,
    patient_id: uuid.UUID | None = None,
    therapist_id: uuid.UUID | None = None,
    location: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{1,40}$")] = None,
    status: PlanStatus | None = None,
    due: Annotated[
        Due | None,
        Query(
            description="A queue: `recertification` (certification ending within "
            "`within_days`, or ended), `progress-report` (10 or more visits since the last "
            "report), `authorization` (two or fewer authorized visits left, or ending within "
            "7 days, or ended). Each holds active and on-hold plans only."
        ),
    ] = None,
    within_days: Annotated[
        int, Query(ge=0, le=365, description="For `due=recertification`: days from today.")
    ] = 14,
    flagged: Annotated[
        bool | None,
        Query(description="`true`: plans with a red flag not yet acknowledged; `false`: none."),
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Plans of care, filtered, as the therapist queues (therapists and admins): by
    certification end then id for `due=recertification`, by id otherwise."""
    queue = PlanQueue(
        patient_id=patient_id,
        therapist_id=therapist_id,
        location=location,
        status=status,
        due=due,
        within_days=within_days,
        flagged=flagged,
    )
    items, next_cursor = await service.list_plans(
        session, queue=queue, limit=limit, cursor=cursor, caller=caller, origin=origin
    )
    return Page(items=items, next_cursor=next_cursor)
