"""HTTP routes of plans of care for staff: `/v1/plans` and `/v1/plans/{id}/...`."""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common import idempotency
from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, require_role
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyKeyHeader
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.preconditions import (
    IfMatch,
    IfMatchOptional,
    IfMatchRequired,
    answers_with_etag,
    created_headers,
    with_etag,
)
from services.plans import audit
from services.plans.care import revisions, service
from services.plans.care import status as moves
from services.plans.care.reads import plan_read
from services.plans.care.schemas import (
    DiscontinueRequest,
    PlanCreate,
    PlanRead,
    PlanSchedulingRead,
    PlanUpdate,
    RecertifyRequest,
    RevisionRead,
    RevisionSummary,
    StatusNote,
)
from services.plans.clients import PatientsDep, SchedulingDep
from services.plans.models import IdempotencyKey, PlanOfCare

plans_router = APIRouter(prefix="/v1/plans", tags=["plans of care"])

Clinician = Annotated[Caller, Depends(require_role("therapist", "admin"))]
RevisionNumber = Annotated[int, Path(ge=1, le=1_000_000)]
CHANGE_ANSWERS = answers_with_etag() | problem_responses(403, 404, 409, 412)


@plans_router.post(
    "",
    response_model=PlanRead,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | problem_responses(403, 404, 409, 502, 503),
)
async def create_plan(
    data: PlanCreate,
    request: Request,
    caller: Clinician,
    session: SessionDep,
    patients: PatientsDep,
    scheduling: SchedulingDep,
    origin: OriginDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    """Create a draft plan of care, from a protocol or empty (therapists; an admin names the
    therapist). The patient must be active and the clinic known. Safe to retry with an
    Idempotency-Key."""
    facts = await service.confirm_facts(
        data, caller=caller, patients=patients, scheduling=scheduling
    )
    key = await idempotency.claim(
        session, IdempotencyKey, key=idempotency_key, caller=str(caller.user_id), request=request
    )
    if key.replay is not None:  # the stored answer shows the plan again: audited
        replayed = PlanRead.model_validate_json(key.replay.body)
        await audit.record_replay(
            session,
            of="plan.create",
            caller=caller,
            origin=origin,
            patient_id=replayed.patient_id,
            entity=("plan", replayed.id),
        )
        return key.replay
    plan = await service.create_plan(session, data=data, facts=facts, caller=caller, origin=origin)
    headers = created_headers(f"/v1/plans/{plan.id}", plan)
    return await key.answer(201, await plan_read(session, plan), headers=headers)


@plans_router.get(
    "/{plan_id}",
    response_model=PlanRead | PlanSchedulingRead,
    responses=answers_with_etag() | problem_responses(403, 404),
)
async def read_plan(
    plan_id: uuid.UUID,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """One plan with its ETag: all of it for therapists and admins (`view: clinical`), its
    scheduling facts only for the front desk (`view: scheduling`). Patients read their
    plans at /v1/me/plans."""
    plan, read = await service.read_plan(session, plan_id=plan_id, caller=caller, origin=origin)
    with_etag(response, plan)
    return read


@plans_router.patch(
    "/{plan_id}",
    response_model=PlanRead,
    responses=answers_with_etag() | problem_responses(403, 404, 409, 412, 428),
)
async def update_plan(
    plan_id: uuid.UUID,
    data: PlanUpdate,
    response: Response,
    caller: CallerDep,
    if_match: IfMatchRequired,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """Change a plan (therapists, admins), with If-Match from your last read: a draft
    changes in place, a signed plan gets a new revision; a closed plan, 409."""
    plan = await service.update_plan(
        session,
        plan_id=plan_id,
        data=data,
        expected=if_match.versions(),
        caller=caller,
        origin=origin,
    )
    return await _answer(session, response, plan)


async def _answer(session: SessionDep, response: Response, plan: PlanOfCare) -> PlanRead:
    with_etag(response, plan)
    return await plan_read(session, plan)


@dataclass(frozen=True, slots=True)
class PlanMove:
    """What every status move of one plan needs: the plan, the caller, If-Match (when sent)
    and the response that carries the new ETag."""

    plan_id: uuid.UUID
    response: Response
    caller: Caller
    if_match: IfMatch
    session: AsyncSession
    origin: audit.Origin

    async def to(self, move: str, reason: str | None = None) -> PlanRead:
        plan = await moves.move_plan(
            self.session,
            plan_id=self.plan_id,
            move=move,
            reason=reason,
            expected=self.if_match.versions(),
            caller=self.caller,
            origin=self.origin,
        )
        return await _answer(self.session, self.response, plan)


async def plan_move(
    plan_id: uuid.UUID,
    response: Response,
    caller: CallerDep,
    if_match: IfMatchOptional,
    session: SessionDep,
    origin: OriginDep,
) -> PlanMove:
    return PlanMove(plan_id, response, caller, if_match, session, origin)


PlanMoveDep = Annotated[PlanMove, Depends(plan_move)]


@plans_router.post("/{plan_id}/activate", response_model=PlanRead, responses=CHANGE_ANSWERS)
async def activate_plan(move: PlanMoveDep) -> Any:
    """Sign a draft: it becomes active, as revision 1, signed by you. Needs diagnoses, a
    goal and a certification period. Send If-Match to sign exactly the version you read."""
    return await move.to("activate")


@plans_router.post("/{plan_id}/hold", response_model=PlanRead, responses=CHANGE_ANSWERS)
async def hold_plan(move: PlanMoveDep, data: StatusNote | None = None) -> Any:
    """Put an active plan on hold, with an optional reason."""
    return await move.to("hold", data and data.reason)


@plans_router.post("/{plan_id}/resume", response_model=PlanRead, responses=CHANGE_ANSWERS)
async def resume_plan(move: PlanMoveDep) -> Any:
    """Make a held plan active again."""
    return await move.to("resume")


@plans_router.post("/{plan_id}/complete", response_model=PlanRead, responses=CHANGE_ANSWERS)
async def complete_plan(move: PlanMoveDep, data: StatusNote | None = None) -> Any:
    """Close an active or held plan as completed, with an optional note."""
    return await move.to("complete", data and data.reason)


@plans_router.post("/{plan_id}/discontinue", response_model=PlanRead, responses=CHANGE_ANSWERS)
async def discontinue_plan(data: DiscontinueRequest, move: PlanMoveDep) -> Any:
    """Close an active or held plan as discontinued; a reason is required."""
    return await move.to("discontinue", data.reason)


@plans_router.post("/{plan_id}/recertify", response_model=PlanRead, responses=CHANGE_ANSWERS)
async def recertify_plan(move: PlanMoveDep, data: RecertifyRequest | None = None) -> Any:
    """Open a new certification period of at most 90 days (by default from the day after
    the current one ends), signed by you, as a new revision. Active or held plans only."""
    plan = await moves.recertify_plan(
        move.session,
        plan_id=move.plan_id,
        data=data or RecertifyRequest(),
        expected=move.if_match.versions(),
        caller=move.caller,
        origin=move.origin,
    )
    return await _answer(move.session, move.response, plan)


@plans_router.get(
    "/{plan_id}/revisions",
    response_model=Page[RevisionSummary],
    responses=problem_responses(403, 404),
)
async def list_plan_revisions(
    plan_id: uuid.UUID,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """A plan's signed revisions, oldest first: who changed what, when (therapists, admins)."""
    items, next_cursor = await revisions.list_revisions(
        session, plan_id=plan_id, limit=limit, cursor=cursor, caller=caller, origin=origin
    )
    return Page(items=items, next_cursor=next_cursor)


@plans_router.get(
    "/{plan_id}/revisions/{number}",
    response_model=RevisionRead,
    responses=problem_responses(403, 404),
)
async def read_plan_revision(
    plan_id: uuid.UUID,
    number: RevisionNumber,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """One revision: the whole plan as it stood after that change (therapists, admins)."""
    return await revisions.read_revision(
        session, plan_id=plan_id, number=number, caller=caller, origin=origin
    )
