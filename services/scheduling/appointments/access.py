"""Who reaches which appointment, and the audit rows of refusals.

Front desk and admins reach every appointment. A therapist reaches their own and every
appointment at a clinic where they have hours, and marks (checks in, completes, records a
no-show) only their own visits. A patient reaches only their own: another patient's
appointment answers 404, the same as an id that does not exist. Every refusal is kept on the
audit trail even though its request rolls back.
"""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import STAFF_ROLES, Caller
from services.common.database import OwnTransaction
from services.common.errors import Forbidden, NotFound
from services.common.visibility import PatientScoped
from services.scheduling import audit
from services.scheduling.audited import APPOINTMENT, Subject, audited_refusal, record
from services.scheduling.models import Appointment, Location, TherapistHours

NOT_FOUND = "No appointment with this id."
ENTITY = APPOINTMENT
VISIBILITY = PatientScoped(staff_roles=STAFF_ROLES, not_found=NOT_FOUND)


async def reachable_appointment(
    session: AsyncSession,
    appointment_id: uuid.UUID,
    *,
    caller: Caller,
    origin: audit.Origin,
    action: str,
    for_update: bool = False,
) -> Appointment:
    """The appointment if the caller may see it (locked for the transaction when
    for_update), else the audited 404 or 403."""
    appointment = await session.get(Appointment, appointment_id, with_for_update=for_update)
    if appointment is None:
        subject = Subject((ENTITY, appointment_id))
        raise audited_refusal(
            NotFound(NOT_FOUND), action, caller=caller, origin=origin, subject=subject
        )
    VISIBILITY.check(
        caller, appointment.patient_id, trail=audit.trail, action=action, origin=origin
    )
    if caller.role == "therapist" and not await _at_their_clinics(session, caller, appointment):
        refusal = Forbidden("A therapist reads the appointments of the clinics where they work.")
        subject = Subject.of(appointment)
        raise audited_refusal(refusal, action, caller=caller, origin=origin, subject=subject)
    return appointment


async def staff_snapshot(
    own: OwnTransaction,
    appointment_id: uuid.UUID,
    *,
    caller: Caller,
    origin: audit.Origin,
    action: str,
) -> Appointment:
    """The appointment as it is now, read in a transaction of its own that ends at once, for
    a move that must ask other services before its unit of work begins. Only for routes of
    the front desk and admins, who reach every appointment: the audited 404 is all to check."""
    async with own() as reading:
        appointment = await reading.get(Appointment, appointment_id)
    if appointment is None:
        subject = Subject((ENTITY, appointment_id))
        refusal = NotFound(NOT_FOUND)
        raise audited_refusal(refusal, action, caller=caller, origin=origin, subject=subject)
    return appointment


def check_marks(caller: Caller, appointment: Appointment) -> None:
    """A therapist marks only their own visits (inside `refusals_audited`)."""
    if caller.role == "therapist" and appointment.therapist_id != caller.user_id:
        raise Forbidden("A therapist marks only their own visits.")


async def therapist_clinics(session: AsyncSession, therapist_id: uuid.UUID) -> list[str]:
    """The slugs of the clinics where the therapist has hours."""
    statement = (
        select(Location.slug)
        .join(TherapistHours, col(TherapistHours.location_id) == col(Location.id))
        .where(col(TherapistHours.therapist_id) == therapist_id)
        .distinct()
    )
    return list((await session.exec(statement)).all())


async def _at_their_clinics(
    session: AsyncSession, caller: Caller, appointment: Appointment
) -> bool:
    if appointment.therapist_id == caller.user_id:
        return True
    return appointment.location in await therapist_clinics(session, caller.user_id)


async def record_event(
    session: AsyncSession,
    action: str,
    appointment: Appointment,
    *,
    caller: Caller,
    origin: audit.Origin,
    detail: dict[str, object] | None = None,
) -> None:
    """An audit row of a read or a change of the appointment, on its patient's trail."""
    await record(
        session, action, Subject.of(appointment), caller=caller, origin=origin, detail=detail
    )
