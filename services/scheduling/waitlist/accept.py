"""Accepting a wait-list offer: the first to accept books the freed time, every other offer
of it is gone from then on.

The patient is confirmed active by the patients service first, from the offer as read in a
transaction of its own (`offer_snapshot`). Then, in the request's transaction, the hold's row
is locked: racing accepts of one time take turns there, and each re-reads the hold, its
offer and its entry under that lock. The first books (the booking's own code, confirming the
hold) and marks the hold confirmed, its offer accepted and its entry booked; every later one
finds the hold confirmed: 409, the slot went to another patient.
"""

import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.database import OwnTransaction
from services.common.errors import Conflict, NotFound
from services.scheduling import audit
from services.scheduling.appointments.schemas import BookingWarning
from services.scheduling.appointments.service import Rules
from services.scheduling.audited import Subject, audited_refusal, record, refusals_audited
from services.scheduling.holds.service import book_held_time, current_hold
from services.scheduling.models import Appointment, Hold, WaitlistEntry, WaitlistOffer
from services.scheduling.waitlist.offers import ENTITY

NOT_FOUND = "No wait-list offer with this id."
ACTION = "waitlist.offer.accept"


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """An offer and whose it is, as read before the other services are asked."""

    offer_id: uuid.UUID
    patient_id: uuid.UUID


async def offer_snapshot(
    own: OwnTransaction, offer_id: uuid.UUID, *, caller: Caller, origin: audit.Origin
) -> OfferFacts:
    """The offer's patient, read in a transaction that ends at once; the audited 404 for
    an unknown offer or, to a patient, another patient's."""
    async with own() as reading:
        offer = await reading.get(WaitlistOffer, offer_id)
        entry = await reading.get(WaitlistEntry, offer.entry_id) if offer else None
    if offer is None or entry is None:
        raise _refused(NotFound(NOT_FOUND), Subject((ENTITY, offer_id)), caller, origin)
    if caller.role == "patient" and entry.patient_id != caller.patient_id:
        subject = Subject((ENTITY, offer_id), entry.patient_id)
        raise _refused(NotFound(NOT_FOUND), subject, caller, origin)
    return OfferFacts(offer.id, entry.patient_id)


async def accept_offer(
    session: AsyncSession, *, facts: OfferFacts, rules: Rules, caller: Caller, origin: audit.Origin
) -> tuple[Appointment, list[BookingWarning]]:
    """Book the offered time for the entry's patient, if it is still theirs to take."""
    found = await session.get(WaitlistOffer, facts.offer_id)
    assert found is not None  # offers are never deleted
    hold = await current_hold(session, found.hold_id, caller=caller, origin=origin, action=ACTION)
    offer = await session.get(WaitlistOffer, facts.offer_id, populate_existing=True)
    # FOR NO KEY UPDATE: a cancellation offering this entry another time (its offer's foreign
    # key takes KEY SHARE) under schedule locks this request may wait for is not held up.
    entry = await session.get(
        WaitlistEntry, found.entry_id, with_for_update={"key_share": True}, populate_existing=True
    )
    assert offer is not None and entry is not None
    subject = Subject((ENTITY, offer.id), entry.patient_id)
    with refusals_audited(ACTION, caller=caller, origin=origin, subject=subject):
        check_acceptable(offer, hold, entry, rules)
        appointment, warnings = await book_held_time(
            session,
            hold,
            patient_id=entry.patient_id,
            kind=entry.appointment_type,
            plan=None,
            rules=rules,
            caller=caller,
            origin=origin,
        )
    offer.status, offer.updated_at = "accepted", rules.now
    entry.status, entry.appointment_id = "booked", appointment.id
    entry.version, entry.updated_at = entry.version + 1, rules.now
    await session.flush()
    detail = {"appointment_id": str(appointment.id), "hold_id": str(hold.id)}
    await record(session, ACTION, subject, caller=caller, origin=origin, detail=detail)
    return appointment, warnings


def check_acceptable(offer: WaitlistOffer, hold: Hold, entry: WaitlistEntry, rules: Rules) -> None:
    """409 saying why the offer can no longer be taken."""
    if offer.status == "accepted":
        raise Conflict(
            f"This offer was accepted already: appointment {hold.appointment_id}.",
            appointment_id=str(hold.appointment_id),
        )
    if entry.status != "waiting":
        raise Conflict(
            f"The wait-list entry is {entry.status}: its offers are gone.", status_now="gone"
        )
    if hold.status == "confirmed":
        raise Conflict("The slot went to another patient.", status_now="gone")
    if hold.status == "released":
        raise Conflict(
            "The clinic took the offer back: the time is no longer offered.", status_now="gone"
        )
    if hold.expires_at <= rules.now:
        raise Conflict(f"The offer expired at {hold.expires_at.isoformat()}.", status_now="expired")


def _refused(problem: NotFound, subject: Subject, caller: Caller, origin: audit.Origin) -> NotFound:
    audited_refusal(problem, ACTION, caller=caller, origin=origin, subject=subject)
    return problem
