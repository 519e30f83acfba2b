"""A patient's own plans of care, as the patient reads them: only their own, only active or
on hold. Functions add only the audit row, to the request's transaction, which commits it.

The list is one query on ix_plan_of_care_patient_id (patient_id, status) plus the audit row,
however many plans and sessions the clinic holds (bench/ times it). It selects only the
columns the patient view shows, so the staff note and the goals are never even read out, and
each program item is copied key by key, so an item's staff note never is either. What is
stored is shown as stored (`model_construct`), never validated: a rule tightened tomorrow
cannot make yesterday's plan unreadable.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row, Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import NotFound, Problem
from services.common.pagination import Page, before, decode_cursor, page_of
from services.plans import audit
from services.plans.content import Dosage, dosage_in_words
from services.plans.me.schemas import MyDosageRead, MyEducationRead, MyExerciseRead, MyPlanRead
from services.plans.models import PlanOfCare

VISIBLE_STATUSES = ("active", "on_hold")  # never a draft, a completed or a discontinued plan
# One answer for another patient's plan, a draft and an id that does not exist: ids cannot
# be probed.
NOT_FOUND = "You have no active or on-hold plan with this id."
ENTITY = "plan"

# What the patient view is built from; `version` is the ETag.
_COLUMNS = (
    PlanOfCare.id,
    PlanOfCare.status,
    PlanOfCare.version,
    PlanOfCare.therapist_name,
    PlanOfCare.location,
    PlanOfCare.start_date,
    PlanOfCare.certification_end,
    PlanOfCare.frequency_per_week,
    PlanOfCare.duration_weeks,
    PlanOfCare.diagnoses,
    PlanOfCare.program,
    PlanOfCare.education,
    PlanOfCare.red_flag_criteria,
    PlanOfCare.patient_note,
)
_NEWEST_START_FIRST = (col(PlanOfCare.start_date), col(PlanOfCare.id))
_DOSAGE_FIELDS = frozenset(MyDosageRead.model_fields)


def _own_visible(patient_id: uuid.UUID | None) -> Select[Any]:
    return select(*_COLUMNS).where(
        col(PlanOfCare.patient_id) == patient_id,
        col(PlanOfCare.status).in_(VISIBLE_STATUSES),
    )


def own_plans_statement(
    *, patient_id: uuid.UUID | None, limit: int, cursor: str | None
) -> Select[Any]:
    """The patient's active and on-hold plans, newest start first (a patient has a handful:
    they are sorted after the index scan)."""
    statement = _own_visible(patient_id)
    if cursor:
        last = decode_cursor(cursor, [date.fromisoformat, uuid.UUID])
        statement = statement.where(before(_NEWEST_START_FIRST, last))
    return statement.order_by(*(c.desc() for c in _NEWEST_START_FIRST)).limit(limit + 1)


async def list_my_plans(
    session: AsyncSession, *, caller: Caller, origin: audit.Origin, limit: int, cursor: str | None
) -> Page[MyPlanRead]:
    statement = own_plans_statement(patient_id=caller.patient_id, limit=limit, cursor=cursor)
    rows = (await session.exec(statement)).all()
    items, next_cursor = page_of(rows, limit, lambda row: (row.start_date, row.id))
    await audit.record(
        session,
        action="me.plans.list",
        caller=caller,
        origin=origin,
        patient_id=caller.patient_id,
        detail={"plan_ids": [str(row.id) for row in items]},
    )
    return Page[MyPlanRead].model_construct(
        items=[my_plan(row) for row in items], next_cursor=next_cursor
    )


async def read_my_plan(
    session: AsyncSession, *, plan_id: uuid.UUID, caller: Caller, origin: audit.Origin
) -> tuple[MyPlanRead, int]:
    """One of the patient's active or on-hold plans and its version; 404 (audited) else."""
    statement = _own_visible(caller.patient_id).where(col(PlanOfCare.id) == plan_id)
    row = (await session.exec(statement)).one_or_none()
    if row is None:
        raise _not_found(plan_id, caller=caller, origin=origin)
    await audit.record(
        session,
        action="me.plans.read",
        caller=caller,
        origin=origin,
        patient_id=caller.patient_id,
        entity=(ENTITY, plan_id),
    )
    return my_plan(row), row.version


def _not_found(plan_id: uuid.UUID, *, caller: Caller, origin: audit.Origin) -> Problem:
    """The 404, keeping an audit row naming the plan asked for (a probe shows on the trail)."""
    row = audit.event(
        action="me.plans.read",
        outcome="denied",
        caller=caller,
        origin=origin,
        patient_id=caller.patient_id,
        entity=(ENTITY, plan_id),
        detail={"status": 404},
    )
    return NotFound(NOT_FOUND).keeping(row)


# -- the patient view, from the stored JSONB -------------------------------------------------


def my_plan(row: Row[Any]) -> MyPlanRead:
    program: list[dict[str, Any]] = row.program or []
    return MyPlanRead.model_construct(
        id=row.id,
        status=row.status,
        therapist_name=row.therapist_name,
        location=row.location,
        start_date=row.start_date,
        certification_end=row.certification_end,
        frequency_per_week=row.frequency_per_week,
        duration_weeks=row.duration_weeks,
        diagnoses=[diagnosis.get("code") for diagnosis in row.diagnoses or []],
        home=[my_exercise(item) for item in program if _part(item) == "home"],
        clinic=[my_exercise(item) for item in program if _part(item) == "clinic"],
        patient_note=row.patient_note,
        education=[_education(item) for item in row.education or []],
        when_to_call=(row.red_flag_criteria or {}).get("advice"),
    )


def _part(item: dict[str, Any]) -> str:
    # An item whose part is unknown is done with the therapist: never sent home alone.
    return "home" if item.get("part") == "home" else "clinic"


def my_exercise(item: dict[str, Any]) -> MyExerciseRead:
    """A program item in the patient's words; its staff note is not copied."""
    stored = {k: v for k, v in (item.get("dosage") or {}).items() if k in _DOSAGE_FIELDS}
    dosage = Dosage.model_construct(**stored)
    return MyExerciseRead.model_construct(
        slug=item.get("slug"),
        name=item.get("name"),
        purpose=item.get("purpose"),
        instructions=item.get("instructions"),
        cues=item.get("cues") or [],
        precautions=item.get("precautions"),
        equipment=item.get("equipment") or [],
        dosage=MyDosageRead.model_construct(**dict(dosage)),
        dosage_text=dosage_in_words(dosage),
        patient_note=item.get("patient_note"),
    )


def _education(item: dict[str, Any]) -> MyEducationRead:
    return MyEducationRead.model_construct(
        slug=item.get("slug"), title=item.get("title"), text=item.get("text")
    )
