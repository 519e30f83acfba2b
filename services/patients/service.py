"""The patient record: register, read, change (optimistic concurrency), archive, search.
Functions flush; the request's session commits. Every read and change is audited."""

import uuid
from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Problem,
)
from services.common.pagination import decode_cursor, page_of
from services.patients import accounts, audit
from services.patients.clients import SchedulingClient
from services.patients.models import Patient
from services.patients.names import search_keys
from services.patients.schemas import (
    CONTACT_FIELDS,
    DiagnosisIn,
    PatientCreate,
    PatientUpdate,
    laterality_of,
)
from services.patients.search import search_statement, sort_key

NOT_FOUND = "No patient with this id."


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


async def _check_location(scheduling: SchedulingClient, slug: str, caller: Caller) -> None:
    if not await scheduling.location_exists(slug, token=caller.token):
        raise InvalidInput(f"No clinic has the slug {slug!r}.", field="body.home_location")


async def register_patient(
    session: AsyncSession,
    *,
    data: PatientCreate,
    scheduling: SchedulingClient,
    caller: Caller,
    origin: audit.Origin,
) -> Patient:
    await _check_location(scheduling, data.home_location, caller)
    patient = Patient(**_row_values(data, only_sent=False))
    session.add(patient)
    await session.flush()
    await audit.record(
        session, action="patient.create", caller=caller, origin=origin, patient_id=patient.id
    )
    return patient


async def _visible_patient(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    caller: Caller,
    origin: audit.Origin,
    action: str,
) -> Patient:
    """The patient if the caller may see it; 404 otherwise, so ids cannot be probed.
    Admins manage accounts and do not read patient records (least privilege). Refusals are
    audited (outcome "denied"), so a privacy officer sees who tried to reach which record."""
    refusal: Problem | None = None
    if caller.role == "admin":
        refusal = Forbidden("Administrators do not read or change patient records.")
    elif caller.role == "patient" and caller.patient_id != patient_id:
        refusal = NotFound(NOT_FOUND)
    if refusal is not None:
        raise audit.refused(
            refusal, action=action, caller=caller, origin=origin, patient_id=patient_id
        )
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(NOT_FOUND)
    return patient


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


async def update_patient(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    data: PatientUpdate,
    expected_version: int | None,
    scheduling: SchedulingClient,
    caller: Caller,
    origin: audit.Origin,
) -> Patient:
    """Apply a partial update if the record is still at expected_version (None: any)."""
    patient = await _visible_patient(
        session, patient_id=patient_id, caller=caller, origin=origin, action="patient.update"
    )
    changes = data.model_dump(mode="json", exclude_unset=True)
    if not caller.is_staff and set(changes) - CONTACT_FIELDS:
        refusal = Forbidden(
            "Patients may change only their phone, email, address and emergency contact."
        )
        raise audit.refused(
            refusal, action="patient.update", caller=caller, origin=origin, patient_id=patient_id
        )
    if patient.status == "archived":
        raise Conflict("The patient is archived; archived records are read-only.")
    if "home_location" in changes and changes["home_location"] != patient.home_location:
        await _check_location(scheduling, changes["home_location"], caller)
    values = _row_values(data, only_sent=True)
    updated = await _bump(session, patient, expected_version, values | search_keys(values))
    await audit.record(
        session,
        action="patient.update",
        caller=caller,
        origin=origin,
        patient_id=patient_id,
        detail={"fields": sorted(changes), "version": updated.version},
    )
    return updated


async def _bump(
    session: AsyncSession, patient: Patient, expected_version: int | None, values: dict[str, Any]
) -> Patient:
    """One atomic UPDATE ... WHERE version = expected: of two racing writers, one wins."""
    version = patient.version if expected_version is None else expected_version
    statement = (
        update(Patient)
        .where(col(Patient.id) == patient.id, col(Patient.version) == version)
        .values(**values, version=Patient.version + 1, updated_at=utcnow())
        .returning(Patient.version)
    )
    if (await session.exec(statement)).scalar_one_or_none() is None:
        raise PreconditionFailed(
            "The patient record changed since you read it; reload it and apply your change again."
        )
    await session.refresh(patient)
    return patient


async def archive_patient(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    reason: str,
    expected_version: int | None,
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
    archived = await _bump(session, patient, expected_version, values)
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
    filters: dict[str, Any],
    limit: int,
    cursor: str | None,
    caller: Caller,
    origin: audit.Origin,
) -> tuple[list[Patient], str | None]:
    """By name prefix (any word of given, family or preferred name), date of birth, phone,
    home clinic and status; ordered by family name, given name, id."""
    after_key = decode_cursor(cursor, [str, str, uuid.UUID]) if cursor else None
    statement = search_statement(filters, after_key=after_key, limit=limit + 1)
    rows = (await session.exec(statement)).all()
    page = page_of(rows, limit, sort_key)
    await audit.record(
        session,
        action="patient.search",
        caller=caller,
        origin=origin,
        detail={
            "filters": {k: str(v) for k, v in filters.items() if v is not None},
            "returned": len(page[0]),
        },
    )
    return page
