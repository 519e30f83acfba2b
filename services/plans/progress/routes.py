"""HTTP routes of progress reports (therapists and admins) and of visit outcomes (services
only: scheduling reports each completed visit, and its undoing, here)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from services.common.audit import OriginDep
from services.common.auth import Caller, require_role, require_service
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.plans.progress import service, visits
from services.plans.progress.schemas import (
    ProgressReportCreate,
    ProgressReportRead,
    VisitOutcomeCreate,
    VisitOutcomeRead,
)

progress_router = APIRouter(
    prefix="/v1/plans/{plan_id}/progress-reports", tags=["progress reports"]
)
# Not under /v1/plans, which the public proxy routes to this service: nothing routes this path.
visit_outcomes_router = APIRouter(prefix="/v1/visit-outcomes", tags=["service"])

# Patients pass the role check to be told apart: another's plan is 404, their own 403.
ReportCaller = Annotated[Caller, Depends(require_role("therapist", "admin", "patient"))]
# Visits are scheduling's to report; plans' own service token is refused too.
SchedulingCaller = Annotated[Caller, Depends(require_service("scheduling"))]


@progress_router.post(
    "",
    response_model=ProgressReportRead,
    status_code=status.HTTP_201_CREATED,
    responses={201: {"headers": {"Location": {"schema": {"type": "string"}}}}}
    | problem_responses(403, 404, 409),
)
async def record_progress_report(
    plan_id: uuid.UUID,
    data: ProgressReportCreate,
    response: Response,
    caller: ReportCaller,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """Record a progress report of an active or on-hold plan: goal statuses and a note.
    Restarts the count of visits since the last report."""
    report = await service.record_progress_report(
        session, plan_id=plan_id, data=data, caller=caller, origin=origin
    )
    response.headers["Location"] = f"/v1/plans/{plan_id}/progress-reports/{report.id}"
    return report


@progress_router.get(
    "", response_model=Page[ProgressReportRead], responses=problem_responses(403, 404)
)
async def list_progress_reports(
    plan_id: uuid.UUID,
    caller: ReportCaller,
    session: SessionDep,
    origin: OriginDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """A plan's progress reports, newest first."""
    items, next_cursor = await service.list_progress_reports(
        session, plan_id=plan_id, caller=caller, origin=origin, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@progress_router.get(
    "/{report_id}", response_model=ProgressReportRead, responses=problem_responses(403, 404)
)
async def read_progress_report(
    plan_id: uuid.UUID,
    report_id: uuid.UUID,
    caller: ReportCaller,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """One progress report of a plan."""
    return await service.read_progress_report(
        session, plan_id=plan_id, report_id=report_id, caller=caller, origin=origin
    )


@visit_outcomes_router.post(
    "", response_model=VisitOutcomeRead, responses=problem_responses(404, 409)
)
async def record_visit_outcome(
    data: VisitOutcomeCreate, caller: SchedulingCaller, session: SessionDep, origin: OriginDep
) -> Any:
    """A visit of a plan completed, or its completion undone (services only: scheduling).
    A repeated event id changes nothing and answers the same."""
    return await visits.record_visit_outcome(session, data=data, caller=caller, origin=origin)
