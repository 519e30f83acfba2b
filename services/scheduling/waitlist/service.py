"""Wait-list entries: adding one, reaching one, withdrawing one (reads are `reads.py`).
Each change is audited on the patient's trail; refusals too.

Who reaches an entry: the front desk and admins every one; a therapist those at the clinics
where they have hours and those naming them (else 403); a patient only their own (another's
answers 404, as an id that does not exist). The patient is confirmed active by the patients
service before the entry is written (the route asks first). Functions flush, never commit.
"""

import uuid
from datetime import datetime, time

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import STAFF_ROLES, Caller
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.visibility import PatientScoped
from services.scheduling import audit
from services.scheduling.appointments.access import therapist_clinics
from services.scheduling.appointments.service import clinic_of
from services.scheduling.audited import Subject, audited_refusal, record, refusals_audited
from services.scheduling.models import (
    AppointmentType,
    Location,
    TherapistHours,
    WaitlistEntry,
)
from services.scheduling.waitlist.schemas import WaitlistEntryCreate

NOT_FOUND = "No wait-list entry with this id."
ENTITY = "waitlist_entry"
VISIBILITY = PatientScoped(staff_roles=STAFF_ROLES, not_found=NOT_FOUND)


def subject_of(entry: WaitlistEntry) -> Subject:
    return Subject((ENTITY, entry.id), entry.patient_id)


async def add_entry(
    session: AsyncSession, *, data: WaitlistEntryCreate, caller: Caller, origin: audit.Origin
) -> WaitlistEntry:
    """Put the (confirmed active) patient on the clinic's wait list; 422 naming the field
    for an unknown clinic or type, a therapist who does not work there, or times out of
    order."""
    clinic = await clinic_of(session, data.location)
    await _check_kind(session, data.type)
    if data.therapist_id is not None:
        await _check_works_there(session, data.therapist_id, clinic)
    earliest, latest = _clock(data.earliest), _clock(data.latest)
    if earliest is not None and latest is not None and latest <= earliest:
        raise InvalidInput("latest must be after earliest.", field="body.latest")
    entry = WaitlistEntry(
        patient_id=data.patient_id,
        location=clinic.slug,
        therapist_id=data.therapist_id,
        appointment_type=data.type,
        weekdays=sorted(set(data.weekdays)),
        earliest=earliest,
        latest=latest,
        note=data.note,
        created_by=caller.user_id,
    )
    session.add(entry)
    await session.flush()
    await record(session, "waitlist.add", subject_of(entry), caller=caller, origin=origin)
    return entry


async def withdraw_entry(
    session: AsyncSession,
    *,
    entry_id: uuid.UUID,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
) -> WaitlistEntry:
    """Take a waiting entry off the list (its open offers are gone from then on); 409 for
    one booked or withdrawn already."""
    action = "waitlist.withdraw"
    entry = await reachable_entry(
        session, entry_id, caller=caller, origin=origin, action=action, for_update=True
    )
    with refusals_audited(action, caller=caller, origin=origin, subject=subject_of(entry)):
        if entry.status != "waiting":
            booked = f" (appointment {entry.appointment_id})" if entry.appointment_id else ""
            raise Conflict(f"The entry is {entry.status}{booked}: it is off the list already.")
    entry.status = "withdrawn"
    entry.version += 1
    entry.updated_at = now
    await session.flush()
    await record(session, action, subject_of(entry), caller=caller, origin=origin)
    return entry


# -- reaching one -------------------------------------------------------------------------------


async def reachable_entry(
    session: AsyncSession,
    entry_id: uuid.UUID,
    *,
    caller: Caller,
    origin: audit.Origin,
    action: str,
    for_update: bool = False,
) -> WaitlistEntry:
    """The entry if the caller may reach it (locked when for_update), else the audited
    404 or 403."""
    entry = await session.get(
        WaitlistEntry,
        entry_id,
        with_for_update={"key_share": True} if for_update else None,
        populate_existing=True,
    )
    if entry is None:
        refusal = NotFound(NOT_FOUND)
        subject = Subject((ENTITY, entry_id))
        raise audited_refusal(refusal, action, caller=caller, origin=origin, subject=subject)
    VISIBILITY.check(caller, entry.patient_id, trail=audit.trail, action=action, origin=origin)
    if caller.role == "therapist" and not await _within_reach(session, caller, entry):
        refusal = Forbidden("A therapist reads the wait lists of the clinics where they work.")
        raise audited_refusal(
            refusal, action, caller=caller, origin=origin, subject=subject_of(entry)
        )
    return entry


async def _within_reach(session: AsyncSession, caller: Caller, entry: WaitlistEntry) -> bool:
    if entry.therapist_id == caller.user_id:
        return True
    return entry.location in await therapist_clinics(session, caller.user_id)


# -- shared -------------------------------------------------------------------------------------


def _clock(value: str | None) -> time | None:
    return time.fromisoformat(value) if value is not None else None


async def _check_kind(session: AsyncSession, slug: str) -> None:
    statement = select(AppointmentType.id).where(col(AppointmentType.slug) == slug)
    if (await session.exec(statement)).first() is None:
        raise InvalidInput(f"No appointment type has the slug {slug!r}.", field="body.type")


async def _check_works_there(
    session: AsyncSession, therapist_id: uuid.UUID, clinic: Location
) -> None:
    statement = select(TherapistHours.id).where(
        col(TherapistHours.therapist_id) == therapist_id,
        col(TherapistHours.location_id) == clinic.id,
    )
    if (await session.exec(statement.limit(1))).first() is None:
        raise InvalidInput(
            f"The therapist has no hours at {clinic.name}: choose one who works there, or "
            "leave the therapist out.",
            field="body.therapist_id",
        )
