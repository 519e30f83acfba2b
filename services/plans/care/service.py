"""Plans of care: create (after asking patients and scheduling), read, change. Functions
flush; the request's session commits. Every read and change is audited.

Creating a plan asks the other services first (the patient exists and is active, the clinic
exists and its time zone, the therapist's name) and only then opens the unit of work: no
transaction waits on another service.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import BadGateway, Conflict, InvalidInput, NotFound
from services.plans import audit
from services.plans.care import program
from services.plans.care.access import STAFF, reachable_plan
from services.plans.care.reads import plan_read, scheduling_read
from services.plans.care.schemas import (
    AuthorizationIn,
    GoalIn,
    PlanCreate,
    PlanRead,
    PlanSchedulingRead,
    PlanUpdate,
    check_certification_end,
)
from services.plans.care.status import default_certification_end
from services.plans.changes import apply_change, changed_fields, check_version
from services.plans.clients import PatientsClient, SchedulingClient
from services.plans.library.lookup import protocol_by_slug
from services.plans.models import PlanOfCare, Protocol

PATIENT_NOT_FOUND = "No patient with this id."
CLOSED_STATUSES = ("completed", "discontinued")


@dataclass(frozen=True, slots=True)
class ConfirmedFacts:
    """What the other services confirmed for a new plan."""

    therapist_id: uuid.UUID
    therapist_name: str
    time_zone: str


# -- asking the other services, before any transaction ---------------------------------------


async def confirm_facts(
    data: PlanCreate, *, caller: Caller, patients: PatientsClient, scheduling: SchedulingClient
) -> ConfirmedFacts:
    patient = await patients.patient_status(data.patient_id)
    if patient is None:
        raise NotFound(PATIENT_NOT_FOUND)
    if patient.status != "active":
        raise InvalidInput("The patient is archived: no new plan.", field="body.patient_id")
    location = await scheduling.location(data.location, token=caller.token)
    if location is None:
        raise InvalidInput(f"No clinic has the slug {data.location!r}.", field="body.location")
    therapist_id, name = await _therapist(data, caller=caller, patients=patients)
    return ConfirmedFacts(therapist_id, name, location.time_zone)


async def _therapist(
    data: PlanCreate, *, caller: Caller, patients: PatientsClient
) -> tuple[uuid.UUID, str]:
    """A therapist writes plans as themselves; an admin names an active therapist."""
    if caller.role == "therapist":
        if data.therapist_id not in (None, caller.user_id):
            raise InvalidInput(
                "A therapist writes plans as themselves: leave therapist_id out.",
                field="body.therapist_id",
            )
        me = await patients.me(token=caller.token)
        if me is None:
            raise BadGateway("The patients service does not know the signed-in account.")
        return caller.user_id, me.display_name
    if data.therapist_id is None:
        raise InvalidInput(
            "An admin names the plan's therapist.", field="body.therapist_id", kind="missing"
        )
    account = await patients.account_status(data.therapist_id)
    if account is None or account.role != "therapist" or not account.active:
        raise InvalidInput("No active therapist has this id.", field="body.therapist_id")
    return data.therapist_id, account.display_name


# -- create ---------------------------------------------------------------------------------


async def _protocol(session: AsyncSession, slug: str | None) -> Protocol | None:
    if slug is None:
        return None
    protocol = await protocol_by_slug(session, slug)
    if protocol is None or protocol.retired_at is not None:
        raise InvalidInput(f"No protocol has the slug {slug!r}.", field="body.protocol")
    return protocol


def _goals(goals: list[GoalIn]) -> list[dict[str, Any]]:
    return [g.model_dump(mode="json") | {"id": str(g.id or uuid.uuid4())} for g in goals]


def _protocol_goals(protocol: Protocol | None, data: PlanCreate) -> list[dict[str, Any]]:
    templates = protocol.goals if protocol else []
    return [
        {
            "id": str(uuid.uuid4()),
            "text": t["text"],
            "term": t["term"],
            "target_date": _weeks_after(data, t.get("weeks")),
            "status": "not_started",
        }
        for t in templates
    ]


def _weeks_after(data: PlanCreate, weeks: int | None) -> str | None:
    return None if weeks is None else (data.start_date + timedelta(weeks=weeks)).isoformat()


def _authorization(authorization: AuthorizationIn | None) -> dict[str, Any]:
    return {
        "authorization_visits": authorization.visits if authorization else None,
        "authorization_valid_from": authorization.valid_from if authorization else None,
        "authorization_valid_until": authorization.valid_until if authorization else None,
    }


async def _new_program(
    session: AsyncSession, data: PlanCreate, protocol: Protocol | None
) -> list[dict[str, Any]]:
    context = program.ProgramContext(data.home_equipment, protocol, current={})
    if data.exercises is not None:
        return await program.program_of(session, data.exercises, context)
    return await program.protocol_program(session, protocol, context) if protocol else []


async def create_plan(
    session: AsyncSession,
    *,
    data: PlanCreate,
    facts: ConfirmedFacts,
    caller: Caller,
    origin: audit.Origin,
) -> PlanOfCare:
    """A draft plan, for a patient, clinic and therapist `confirm_facts` has confirmed."""
    protocol = await _protocol(session, data.protocol)
    end = data.certification_end or default_certification_end(data.start_date, data.duration_weeks)
    plan = PlanOfCare(
        **data.model_dump(include={"patient_id", "location", "frequency_per_week"}),
        **data.model_dump(include={"duration_weeks", "start_date", "home_equipment"}),
        **data.model_dump(include={"patient_note", "staff_note"}),
        **_authorization(data.authorization),
        therapist_id=facts.therapist_id,
        therapist_name=facts.therapist_name,
        time_zone=facts.time_zone,
        protocol_id=protocol.id if protocol else None,
        certification_start=data.start_date,
        certification_end=end,
        diagnoses=[d.model_dump(mode="json") for d in data.diagnoses],
        goals=_goals(data.goals) if data.goals is not None else _protocol_goals(protocol, data),
        program=await _new_program(session, data, protocol),
        education=list(protocol.education) if protocol else [],
        red_flag_criteria=dict(protocol.red_flags) if protocol else {},
        created_by=caller.user_id,
    )
    session.add(plan)
    await session.flush()
    await session.refresh(plan)  # the computed planned_visits
    await program.record_use(session, plan.id, plan.program)
    await _audit(session, plan, "plan.create", caller=caller, origin=origin)
    return plan


# -- read ---------------------------------------------------------------------------------


async def read_plan(
    session: AsyncSession, *, plan_id: uuid.UUID, caller: Caller, origin: audit.Origin
) -> tuple[PlanOfCare, PlanRead | PlanSchedulingRead]:
    """The whole plan for therapists and admins, its scheduling facts for the front desk."""
    plan = await reachable_plan(
        session, plan_id, caller=caller, origin=origin, action="plan.read", roles=STAFF
    )
    read: PlanRead | PlanSchedulingRead
    if caller.role == "front_desk":
        read = await scheduling_read(session, plan)
    else:
        read = await plan_read(session, plan)
    await _audit(session, plan, "plan.read", caller=caller, origin=origin, view=read.view)
    return plan, read


# -- change ---------------------------------------------------------------------------------


async def update_plan(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    data: PlanUpdate,
    expected: Collection[int] | None,
    caller: Caller,
    origin: audit.Origin,
) -> PlanOfCare:
    """A draft changes in place; a signed plan gets its next revision; a closed one, 409."""
    action = "plan.update"
    plan = await reachable_plan(
        session, plan_id, caller=caller, origin=origin, action=action, for_update=True
    )
    check_version(plan, expected)
    if plan.status in CLOSED_STATUSES:
        raise Conflict(f"The plan is {plan.status}: it no longer changes.")
    values = await _changed_values(session, plan, data)
    fields = changed_fields(values)
    summary = "Changed " + ", ".join(fields)
    changed = await apply_change(
        session, plan=plan, values=values, expected=expected, caller=caller, kind="revised",
        summary=summary,
    )  # fmt: skip
    await _audit(session, changed, action, caller=caller, origin=origin, fields=fields)
    return changed


async def _changed_values(
    session: AsyncSession, plan: PlanOfCare, data: PlanUpdate
) -> dict[str, Any]:
    """The columns the update sets, checked against the plan as it stands."""
    sent = data.model_fields_set
    _check_still_signable(plan, data)
    values: dict[str, Any] = data.model_dump(
        include=sent & {"frequency_per_week", "duration_weeks", "home_equipment"}
    )
    values |= data.model_dump(include=sent & {"patient_note", "staff_note"})
    if "certification_end" in sent:
        values["certification_end"] = _certification_end(plan, data)
    if "authorization" in sent:
        values |= _authorization(data.authorization)
    if "diagnoses" in sent:
        values["diagnoses"] = [d.model_dump(mode="json") for d in data.diagnoses]
    if "goals" in sent:
        values["goals"] = _goals(data.goals)
    if sent & {"exercises", "home_equipment"}:
        values["program"] = await _changed_program(session, plan, data)
        await program.record_use(session, plan.id, values["program"])
    return values


def _check_still_signable(plan: PlanOfCare, data: PlanUpdate) -> None:
    """A signed plan keeps what signing needed: a diagnosis and a goal."""
    for name in ("diagnoses", "goals"):
        if plan.status != "draft" and name in data.model_fields_set and not getattr(data, name):
            raise InvalidInput(
                f"A signed plan keeps at least one of its {name}.", field=f"body.{name}"
            )


def _certification_end(plan: PlanOfCare, data: PlanUpdate) -> Any:
    try:
        check_certification_end(plan.certification_start, data.certification_end)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="body.certification_end") from exc
    return data.certification_end


async def _changed_program(
    session: AsyncSession, plan: PlanOfCare, data: PlanUpdate
) -> list[dict[str, Any]]:
    home = data.home_equipment if "home_equipment" in data.model_fields_set else None
    protocol = await session.get(Protocol, plan.protocol_id) if plan.protocol_id else None
    current = {item["slug"]: item for item in plan.program}
    context = program.ProgramContext(
        plan.home_equipment if home is None else home, protocol, current
    )
    if "exercises" in data.model_fields_set:
        return await program.program_of(session, data.exercises, context)
    return await program.replaced(session, plan.program, context)


async def _audit(
    session: AsyncSession,
    plan: PlanOfCare,
    action: str,
    *,
    caller: Caller,
    origin: audit.Origin,
    **detail: Any,
) -> None:
    await audit.record_on_plan(
        session,
        plan,
        action=action,
        caller=caller,
        origin=origin,
        detail={"version": plan.version, "revision": plan.revision, **detail},
    )
