"""Reading a plan's handout: who may, which plans, and what it shows.

The checks run in this order, each refusal audited: the plan and who may read it (a patient
reaches only their own: any other id answers 404; the front desk 403), whether it is signed
and current (active or on hold: any other plan is 404 to its patient, who never sees drafts,
and 409 to staff, who know it exists), and whether the format asked for is one we make (406).
The read of the plan then ends before the patients and scheduling services are asked for the
patient's name and the clinic's address; the read itself is audited last, in
the request's transaction.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import (
    BadGateway,
    Conflict,
    Forbidden,
    NotAcceptable,
    NotFound,
    Problem,
)
from services.common.visibility import PatientScoped
from services.plans import audit
from services.plans.clients import LocationRef, PatientRef, PatientsClient, SchedulingClient
from services.plans.content import (
    Dosage,
    EducationItem,
    ProgramItem,
    RedFlagCriteria,
    dosage_in_words,
)
from services.plans.handout.schemas import (
    Clinic,
    EducationPoint,
    Format,
    Handout,
    HandoutExercise,
    WhenToCall,
)
from services.plans.models import PlanOfCare

ACTION = "plan.handout.read"
NOT_FOUND = "No plan of care with this id."
PRINTABLE = ("active", "on_hold")
READERS = PatientScoped(
    staff_roles=("therapist", "admin"),
    not_found=NOT_FOUND,
    forbidden="The front desk does not read home programs; the therapist prints the handout.",
)
READER_ROLES = ("patient", *READERS.staff_roles)


async def read_handout(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    form: Format | None,
    caller: Caller,
    origin: audit.Origin,
    patients: PatientsClient,
    scheduling: SchedulingClient,
) -> Handout:
    """The handout of the plan, in `form` (None: the caller accepts no form we make)."""
    plan = await _plan_to_print(session, plan_id=plan_id, form=form, caller=caller, origin=origin)
    await _end_the_read(session, plan)
    patient, location = await _ask_the_other_services(plan, caller, patients, scheduling)
    await audit.record_on_plan(
        session, plan, action=ACTION, caller=caller, origin=origin, detail={"format": form}
    )
    return _handout_of(plan, patient=patient, location=location)


# -- which plan, for whom -----------------------------------------------------------------------


async def _plan_to_print(
    session: AsyncSession,
    *,
    plan_id: uuid.UUID,
    form: Format | None,
    caller: Caller,
    origin: audit.Origin,
) -> PlanOfCare:
    plan = await session.get(PlanOfCare, plan_id)
    problem = _refusal(caller, plan, form)
    if problem is not None:
        row = audit.event(
            action=ACTION,
            outcome="denied",
            caller=caller,
            origin=origin,
            patient_id=plan.patient_id if plan else None,
            entity=("plan", plan_id),
            detail={"format": form, "status": problem.status},
        )
        raise problem.keeping(row)
    assert plan is not None  # no plan is a refusal (404)
    return plan


def _refusal(caller: Caller, plan: PlanOfCare | None, form: Format | None) -> Problem | None:
    if plan is None:  # the role first: the front desk hears 403 whatever the id
        return NotFound(NOT_FOUND) if caller.role in READER_ROLES else Forbidden(READERS.forbidden)
    refused = READERS.refusal(caller, plan.patient_id)
    if refused is not None:
        return refused
    if plan.status not in PRINTABLE:
        if caller.role == "patient":  # a patient never sees a draft, nor an old plan here
            return NotFound(NOT_FOUND)
        return Conflict(
            f"This plan is {plan.status.replace('_', ' ')}: a handout is printed only from an "
            "active or on-hold plan (a draft, once it is signed)."
        )
    if form is None:
        return NotAcceptable("The handout comes as text/html or application/pdf; ask for one.")
    return None


async def _end_the_read(session: AsyncSession, plan: PlanOfCare) -> None:
    """End the transaction the read opened, so that none stays open while other services
    answer. The plan is detached first: the rollback would expire it."""
    session.expunge(plan)
    await session.rollback()


# -- the patient's name and the clinic, from the services that hold them -----------------------


async def _ask_the_other_services(
    plan: PlanOfCare, caller: Caller, patients: PatientsClient, scheduling: SchedulingClient
) -> tuple[PatientRef | None, LocationRef]:
    """With the caller's token. An administrator gets no name: the patients service shows
    them no patient record, and the handout does not go around that. (One after the other:
    each answers in milliseconds, and the first failure ends the handout.)"""
    location = await scheduling.location(plan.location, token=caller.token)
    if location is None:
        raise BadGateway("The scheduling service does not know this plan's clinic.")
    if caller.role == "admin":
        return None, location
    patient = await patients.patient(plan.patient_id, token=caller.token)
    if patient is None:
        raise BadGateway("The patients service does not know this plan's patient.")
    return patient, location


# -- the handout ------------------------------------------------------------------------------


def _handout_of(plan: PlanOfCare, *, patient: PatientRef | None, location: LocationRef) -> Handout:
    return Handout(
        clinic=_clinic(location),
        patient_name=f"{patient.given_name} {patient.family_name}" if patient else None,
        therapist_name=plan.therapist_name,
        printed_on=_today_at(location.time_zone),
        plan_note=plan.patient_note,
        home=tuple(_exercise(i) for i in plan.program if i.get("part") == "home"),
        at_the_clinic=tuple(_exercise(i) for i in plan.program if i.get("part") == "clinic"),
        education=tuple(_education(item) for item in plan.education),
        when_to_call=_when_to_call(plan.red_flag_criteria),
    )


def _clinic(location: LocationRef) -> Clinic:
    address = f"{location.street}, {location.city}, {location.state} {location.postal_code}"
    return Clinic(name=location.name, address=address, phone=_as_dialled(location.phone))


def _as_dialled(phone: str | None) -> str | None:
    """+13015550140 as a patient in the US dials it: (301) 555-0140; else as stored."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _today_at(time_zone: str) -> date:
    try:
        return datetime.now(ZoneInfo(time_zone)).date()
    except (ZoneInfoNotFoundError, ValueError):  # a zone this host does not know
        return datetime.now(UTC).date()


# Stored documents are read as they are, never validated (content.py).


def _exercise(stored: dict[str, Any]) -> HandoutExercise:
    item = ProgramItem.model_construct(**stored)
    return HandoutExercise(
        name=item.name,
        dosage=dosage_in_words(Dosage.model_construct(**stored.get("dosage", {}))),
        instructions=item.instructions,
        cues=tuple(item.cues),
        precautions=item.precautions,
        note=item.patient_note,
    )


def _education(stored: dict[str, Any]) -> EducationPoint:
    item = EducationItem.model_construct(**stored)
    return EducationPoint(title=item.title, text=item.text)


def _when_to_call(stored: dict[str, Any]) -> WhenToCall:
    criteria = RedFlagCriteria.model_construct(**stored)
    signs = []
    if criteria.pain_at_least is not None:
        signs.append(f"Your pain reaches {criteria.pain_at_least} out of 10 or more.")
    if criteria.pain_rising_logs:
        signs.append(
            f"Your pain score has gone up at each of your last {criteria.pain_rising_logs} logs."
        )
    if criteria.new_numbness:
        signs.append("You feel numbness in your foot or toes that you did not have before.")
    return WhenToCall(signs=tuple(signs), advice=criteria.advice)
