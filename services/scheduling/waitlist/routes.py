"""HTTP routes of the wait list: add an entry, list a clinic's (oldest first), read one,
withdraw one, and accept an offer of a cancelled visit's time."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status

from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, StaffDep, require_role
from services.common.columns import utcnow
from services.common.database import OwnTransactionsDep, SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery, Page
from services.common.preconditions import answers_with_etag, created_headers, with_etag
from services.scheduling.appointments import reads as appointment_reads
from services.scheduling.appointments.schemas import AppointmentBooked
from services.scheduling.appointments.service import confirm_patient
from services.scheduling.audited import Subject, refusals_audited
from services.scheduling.clients import PatientsDep
from services.scheduling.desk import CREATED, Desk, RulesDep
from services.scheduling.reference.schemas import SLUG_PATTERN
from services.scheduling.waitlist import accept, reads, service
from services.scheduling.waitlist.reads import EntryStatus, WaitlistQuery
from services.scheduling.waitlist.schemas import WaitlistEntryCreate, WaitlistEntryRead

waitlist_router = APIRouter(prefix="/v1/waitlist", tags=["wait list"])

DeskOrPatient = Annotated[Caller, Depends(require_role("front_desk", "admin", "patient"))]


@waitlist_router.post(
    "",
    response_model=WaitlistEntryRead,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | CREATED | problem_responses(403, 404, 502, 503),
)
async def add_to_waitlist(
    data: WaitlistEntryCreate,
    response: Response,
    caller: Desk,
    session: SessionDep,
    patients: PatientsDep,
    origin: OriginDep,
) -> Any:
    """Put a patient on a clinic's wait list (front desk, admins), with the therapist, days
    and times of day that suit them: when a visit there is cancelled, the oldest entries the
    freed time suits are offered it. The patient must be active."""
    subject = Subject(patient_id=data.patient_id)
    with refusals_audited("waitlist.add", caller=caller, origin=origin, subject=subject):
        await confirm_patient(patients, data.patient_id)
        entry = await service.add_entry(session, data=data, caller=caller, origin=origin)
    response.headers.update(created_headers(f"/v1/waitlist/{entry.id}", entry))
    return (await reads.entry_reads(session, [entry], now=utcnow()))[0]


@waitlist_router.get("", response_model=Page[WaitlistEntryRead], responses=problem_responses(403))
async def list_waitlist(
    caller: StaffDep,
    session: SessionDep,
    origin: OriginDep,
    location: Annotated[str | None, Query(pattern=SLUG_PATTERN, max_length=40)] = None,
    therapist_id: uuid.UUID | None = None,
    entry_status: Annotated[EntryStatus | None, Query(alias="status")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Wait-list entries, oldest first (staff): of a clinic, naming a therapist, by status
    (`offered`: waiting, with an offer open). A therapist sees those at the clinics where
    they work and those naming them."""
    query = WaitlistQuery(location, therapist_id, entry_status)
    items, next_cursor = await reads.list_entries(
        session,
        query=query,
        now=utcnow(),
        caller=caller,
        origin=origin,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@waitlist_router.get(
    "/{entry_id}",
    response_model=WaitlistEntryRead,
    responses=answers_with_etag() | problem_responses(403, 404),
)
async def read_waitlist_entry(
    entry_id: uuid.UUID,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """One entry with its offers, and its ETag. A patient reads only their own."""
    action = "waitlist.read"
    entry = await service.reachable_entry(
        session, entry_id, caller=caller, origin=origin, action=action
    )
    answer = await reads.read_entry(session, entry, now=utcnow(), caller=caller, origin=origin)
    return with_etag(response, answer)


@waitlist_router.post(
    "/{entry_id}/withdraw",
    response_model=WaitlistEntryRead,
    responses=answers_with_etag() | problem_responses(403, 404, 409),
)
async def withdraw_from_waitlist(
    entry_id: uuid.UUID,
    response: Response,
    caller: DeskOrPatient,
    session: SessionDep,
    origin: OriginDep,
) -> Any:
    """Take a waiting entry off the list (front desk, admins; a patient their own): no more
    offers, and its open ones are gone. 409 for one booked or withdrawn already."""
    now = utcnow()
    entry = await service.withdraw_entry(
        session, entry_id=entry_id, now=now, caller=caller, origin=origin
    )
    return with_etag(response, (await reads.entry_reads(session, [entry], now=now))[0])


@waitlist_router.post(
    "/offers/{offer_id}/accept",
    response_model=AppointmentBooked,
    status_code=status.HTTP_201_CREATED,
    responses=answers_with_etag(201) | CREATED | problem_responses(403, 404, 409, 502, 503),
)
async def accept_offer(
    offer_id: uuid.UUID,
    response: Response,
    caller: DeskOrPatient,
    session: SessionDep,
    own: OwnTransactionsDep,
    patients: PatientsDep,
    origin: OriginDep,
    rules: RulesDep,
) -> Any:
    """Take an offered time (front desk, admins; a patient their own offer): the first to
    accept books it, as `POST /v1/appointments` answers. 409 once it went to another
    patient, was taken back, or expired."""
    facts = await accept.offer_snapshot(own, offer_id, caller=caller, origin=origin)
    subject = Subject((accept.ENTITY, offer_id), facts.patient_id)
    with refusals_audited(accept.ACTION, caller=caller, origin=origin, subject=subject):
        await confirm_patient(patients, facts.patient_id)
    appointment, warnings = await accept.accept_offer(
        session, facts=facts, rules=rules, caller=caller, origin=origin
    )
    response.headers.update(created_headers(f"/v1/appointments/{appointment.id}", appointment))
    return await appointment_reads.booked_read(session, appointment, warnings)
