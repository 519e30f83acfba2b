"""The patient record: register, read, change (optimistic concurrency), archive, search.
Functions flush; the request's session commits. Every read and change is audited."""

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
)
from services.common.lookup import one_or_404
from services.common.pagination import decode_cursor, page_of
from services.common.preconditions import update_if_version
from services.common.visibility import PatientScoped
from services.patients import audit
from services.patients.clients import SchedulingClient
from services.patients.identity import accounts
from services.patients.models import Patient
from services.patients.names import display_name, initials, search_keys
from services.patients.record.schemas import (
    CONTACT_FIELDS,
    DiagnosisIn,
    PatientCreate,
    PatientNameRead,
    PatientStatusRead,
    PatientUpdate,
    laterality_of,
)
from services.patients.record.search import PatientSearch, search_statement, sort_key

NOT_FOUND = "No patient with this id."
RECORD_VISIBILITY = PatientScoped(
    staff_roles=("front_desk", "therapist"),
    not_found=NOT_FOUND,
    forbidden="Administrators do not read or change patient records.",
)


def _row_values(data: PatientCreate | PatientUpdate, *, only_sent: bool) -> dict[str, Any]:
    """The validated fields as the row stores them: emails lower-cased, diagnoses with their
    side, dates as dates; only the fields the client sent when only_sent."""
    values = data.model_dump(mode="json", exclude_unset=only_sent)
    if "birth_date" in values:
        values["birth_date"] = data.birth_date
    if values.get("email"):
        values["email"] = values["email"].lower()
    if values.get("diagnoses") is not None:
        values["diagnoses"] = [_diagnosis(d) for d in data.diagnoses or []]
    return values


def _diagnosis(entry: DiagnosisIn) -> dict[str, Any]:
    return {
        "code": entry.code,
        "laterality": laterality_of(entry.code),
        "description": entry.description,
    }


async def check_location(scheduling: SchedulingClient, slug: str, caller: Caller) -> None:
    """Ask scheduling whether the clinic exists; call it before the unit of work begins, so
    no transaction (nor an Idempotency-Key's lock) is held while scheduling answers."""
    if not await scheduling.location_exists(slug, token=caller.token):
        raise InvalidInput(f"No clinic has the slug {slug!r}.", field="body.home_location")


async def register_patient(
    session: AsyncSession,
    *,
    data: PatientCreate,
    caller: Caller,
    origin: audit.Origin,
) -> Patient:
    """Register a patient whose home_location `check_location` has accepted."""
    patient = Patient(**_row_values(data, only_sent=False))
    session.add(patient)
    await session.flush()
    await audit.record(
        session, action="patient.create", caller=caller, origin=origin, patient_id=patient.id
    )
    return patient


def _check_may_reach(
    *, patient_id: uuid.UUID, caller: Caller, origin: audit.Origin, action: str
) -> None:
    """Refuse, before any query, a caller who may not reach this record: 404 to another
    patient, so ids cannot be probed; admins manage accounts and do not read patient records
    (least privilege). Refusals are audited."""
    RECORD_VISIBILITY.check(caller, patient_id, trail=audit.trail, action=action, origin=origin)


async def _visible_patient(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    caller: Caller,
    origin: audit.Origin,
    action: str,
) -> Patient:
    """The patient if the caller may see it; 404 otherwise."""
    _check_may_reach(patient_id=patient_id, caller=caller, origin=origin, action=action)
    return await one_or_404(session, Patient, patient_id, detail=NOT_FOUND)


async def read_patient(
    session: AsyncSession, *, patient_id: uuid.UUID, caller: Caller, origin: audit.Origin
) -> Patient:
    patient = await _visible_patient(
        session, patient_id=patient_id, caller=caller, origin=origin, action="patient.read"
    )
    await audit.record(
        session, action="patient.read", caller=caller, origin=origin, patient_id=patient_id
    )
    return patient


async def patient_status(
    session: AsyncSession, *, patient_id: uuid.UUID, caller: Caller, origin: audit.Origin
) -> PatientStatusRead:
    """A service's question before it writes for the patient: on the patient's trail, since
    it tells the asking service that the patient exists."""
    patient = await one_or_404(session, Patient, patient_id, detail=NOT_FOUND)
    await audit.record(
        session, action="patient.status", caller=caller, origin=origin, patient_id=patient_id
    )
    return PatientStatusRead(id=patient.id, status=patient.status)  # type: ignore[arg-type]


async def lookup_patients(
    session: AsyncSession, *, ids: list[uuid.UUID], caller: Caller, origin: audit.Origin
) -> list[PatientNameRead]:
    """The names of the patients with these ids (unknown ids left out), by id: what scheduling
    shows on a day sheet, one call for a page of appointments. Each patient named is audited."""
    statement = select(Patient).where(col(Patient.id).in_(ids)).order_by(col(Patient.id))
    found = (await session.exec(statement)).all()
    await _audit_disclosure(
        session,
        action="patient.lookup",
        summary={"asked": len(ids), "returned": len(found)},
        found=found,
        caller=caller,
        origin=origin,
    )
    return [_named(patient) for patient in found]


def _named(patient: Patient) -> PatientNameRead:
    names = (patient.given_name, patient.family_name, patient.preferred_name)
    return PatientNameRead(
        id=patient.id,
        display_name=display_name(*names),
        initials=initials(*names),
        status=patient.status,  # type: ignore[arg-type]
    )


async def update_patient(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    data: PatientUpdate,
    expected_versions: Collection[int] | None,
    scheduling: SchedulingClient,
    caller: Caller,
    origin: audit.Origin,
) -> Patient:
    """Apply a partial update if the record is still at one of expected_versions (the
    If-Match; None for `*`: at the version this request reads, so a change landing between
    the checks below and the UPDATE still gives 412). Everything that needs no database is
    settled first, scheduling's word on a new home clinic included, so no transaction is
    open while another service is asked."""
    changes = data.model_dump(mode="json", exclude_unset=True)
    action = "patient.update"
    _check_may_reach(patient_id=patient_id, caller=caller, origin=origin, action=action)
    if not caller.is_staff and set(changes) - CONTACT_FIELDS:
        refusal = Forbidden(
            "Patients may change only their phone, email, address and emergency contact."
        )
        raise audit.refused(
            refusal, action=action, caller=caller, origin=origin, patient_id=patient_id
        )
    if "home_location" in changes:
        await check_location(scheduling, changes["home_location"], caller)
    patient = await one_or_404(session, Patient, patient_id, detail=NOT_FOUND)  # reach checked
    if patient.status == "archived":
        raise Conflict("The patient is archived; archived records are read-only.")
    values = _row_values(data, only_sent=True)
    updated = await update_if_version(
        session,
        Patient,
        patient_id,
        expected_versions or patient.version,
        values | search_keys(values),
    )
    await audit.record(
        session,
        action=action,
        caller=caller,
        origin=origin,
        patient_id=patient_id,
        detail={"fields": sorted(changes), "version": updated.version},
    )
    return updated


async def archive_patient(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    reason: str,
    expected_versions: Collection[int] | None,
    caller: Caller,
    origin: audit.Origin,
) -> Patient:
    patient = await _visible_patient(
        session, patient_id=patient_id, caller=caller, origin=origin, action="patient.archive"
    )
    await accounts.lock_patient(session, patient_id=patient_id)  # after any login being made
    if patient.status == "archived":
        raise Conflict("The patient is already archived.")
    values = {"status": "archived", "archived_at": utcnow(), "archive_reason": reason}
    archived = await update_if_version(
        session, Patient, patient_id, expected_versions or patient.version, values
    )
    login_disabled = await accounts.disable_patient_login(session, patient_id=patient_id)
    await audit.record(
        session,
        action="patient.archive",
        caller=caller,
        origin=origin,
        patient_id=patient_id,
        detail={"reason": reason, "login_disabled": login_disabled},
    )
    return archived


async def search_patients(
    session: AsyncSession,
    *,
    search: PatientSearch,
    limit: int,
    cursor: str | None,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[list[Patient], str | None]:
    """By name prefix (any word of given, family or preferred name), date of birth, phone,
    home clinic and status; ordered by family name, given name, id."""
    after_key = decode_cursor(cursor, [str, str, uuid.UUID]) if cursor else None
    statement = search_statement(search, after_key=after_key, limit=limit + 1)
    rows = (await session.exec(statement)).all()
    page = page_of(rows, limit, sort_key)
    await _audit_search(session, search=search, found=page[0], caller=caller, origin=origin)
    return page


async def _audit_search(
    session: AsyncSession,
    *,
    search: PatientSearch,
    found: list[Patient],
    caller: Caller,
    origin: audit.Origin,
) -> None:
    summary = {"filters": search.asked(), "returned": len(found)}
    await _audit_disclosure(
        session, action="patient.search", summary=summary, found=found, caller=caller, origin=origin
    )


async def _audit_disclosure(
    session: AsyncSession,
    *,
    action: str,
    summary: dict[str, Any],
    found: Sequence[Patient],
    caller: Caller,
    origin: audit.Origin,
) -> None:
    """One row for the request (what it asked, how many it found), then one per patient it
    returned, so each disclosure shows on that patient's own trail, pointing back at it."""
    request_row = audit.event(action=action, caller=caller, origin=origin, detail=summary)
    session.add(request_row)
    if not found:
        return
    await session.flush()  # the request row's id, for the rows that point at it
    link = {f"{action.removeprefix('patient.')}_event_id": request_row.id}  # search_event_id
    await audit.trail.record_each(
        session,
        action=action,
        origin=origin,
        details={p.id: link for p in found},
        actor_user_id=caller.user_id,
        actor_role=caller.role,
    )
