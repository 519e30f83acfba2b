"""Offering a cancelled visit's time to the wait list, and what an offer is now.

When a booked visit still ahead is cancelled, its time goes to the best-matching waiting
entries: at the same clinic, with its therapist or any, a kind of visit that fits in the
freed time, a day and times of day that suit them, a patient free then, and no other offer
open; oldest first, at most `CLINIC_WAITLIST_OFFERS_PER_SLOT`. ONE hold keeps the time for
all of them for `CLINIC_WAITLIST_OFFER_MINUTES` (never past the start), with one offer per
entry: the first to accept books it (`accept.py`).

The hold is written under the schedule locks of the freed time (therapist, room), taken
before the visit's row is locked, as `locks.py` orders: a booking racing the cancellation
for that time then either sees the visit or the hold, never neither.

A stored offer says only whether it was accepted; whether it is still open, gone or expired
is read from its hold and its entry, so no sweeper has to close anything.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, and_, any_, exists, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.scheduling import audit
from services.scheduling.audited import Subject, record
from services.scheduling.availability.slots import Interval
from services.scheduling.holds.blocking import (
    TimeClaim,
    appointment_in_the_way,
    hold_in_the_way,
    live,
)
from services.scheduling.holds.service import expiry
from services.scheduling.locks import lock_visit_schedules
from services.scheduling.models import (
    LIVE_STATUSES,
    Appointment,
    AppointmentType,
    Hold,
    Location,
    WaitlistEntry,
    WaitlistOffer,
)
from services.scheduling.waitlist.schemas import OfferMade

ENTITY = "waitlist_offer"


@dataclass(frozen=True, slots=True)
class OfferRules:
    """How a freed time is offered: to how many entries at most, held how long for them."""

    per_slot: int
    minutes: int


def offer_rules(request: Request) -> OfferRules:
    settings = request.app.state.settings
    return OfferRules(settings.waitlist_offers_per_slot, settings.waitlist_offer_minutes)


OfferRulesDep = Annotated[OfferRules, Depends(offer_rules)]


@dataclass(frozen=True, slots=True)
class FreedSchedules:
    """The schedules whose locks a cancellation took for its offers."""

    therapist_id: uuid.UUID
    location: str
    room: str | None


async def lock_freed_schedules(
    session: AsyncSession, appointment_id: uuid.UUID, *, now: datetime
) -> FreedSchedules | None:
    """Lock the schedules a visit about to be cancelled would free (before its row is
    locked); None, locking nothing, for a visit not found or already begun."""
    statement = select(
        Appointment.therapist_id, Appointment.location, Appointment.room, Appointment.starts_at
    ).where(col(Appointment.id) == appointment_id)
    found = (await session.exec(statement)).first()
    if found is None or found[3] <= now:
        return None
    therapist_id, location, room, _ = found
    await lock_visit_schedules(
        session, therapist_id=therapist_id, patient_id=None, location=location, room=room
    )
    return FreedSchedules(therapist_id, location, room)


async def offer_freed_time(
    session: AsyncSession,
    appointment: Appointment,
    *,
    locked: FreedSchedules | None,
    now: datetime,
    rules: OfferRules,
    caller: Caller,
    origin: audit.Origin,
) -> list[WaitlistOffer]:
    """Offer the cancelled visit's time to the best-matching entries (none if it has begun,
    if its schedules were not the ones locked, having moved meanwhile, or if something else
    holds the time)."""
    mine = FreedSchedules(appointment.therapist_id, appointment.location, appointment.room)
    if locked != mine or appointment.starts_at <= now:
        return []
    freed = Interval(appointment.starts_at, appointment.ends_at)
    claim = TimeClaim(appointment.therapist_id, None, appointment.location, appointment.room, freed)
    in_the_way = await appointment_in_the_way(session, claim, besides=appointment.id)
    if in_the_way or await hold_in_the_way(session, claim, now=now):
        return []
    entries = await best_matches(session, appointment, now=now, limit=rules.per_slot)
    if not entries:
        return []
    hold = _hold_for(appointment, now=now, minutes=rules.minutes, caller=caller)
    session.add(hold)
    await session.flush()
    offers = [WaitlistOffer(hold_id=hold.id, entry_id=entry.id) for entry in entries]
    session.add_all(offers)
    await session.flush()
    for offer, entry in zip(offers, entries, strict=True):
        subject = Subject((ENTITY, offer.id), entry.patient_id)
        detail = {"entry_id": str(entry.id), "hold_id": str(hold.id)}
        await record(
            session, "waitlist.offer", subject, caller=caller, origin=origin, detail=detail
        )
    return offers


def _hold_for(appointment: Appointment, *, now: datetime, minutes: int, caller: Caller) -> Hold:
    return Hold(
        therapist_id=appointment.therapist_id,
        location=appointment.location,
        room=appointment.room,
        appointment_type=appointment.appointment_type,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        expires_at=expiry(now, minutes, appointment.starts_at),
        freed_appointment_id=appointment.id,
        created_by=caller.user_id,
    )


# -- who fits the freed time --------------------------------------------------------------------


async def best_matches(
    session: AsyncSession, appointment: Appointment, *, now: datetime, limit: int
) -> list[WaitlistEntry]:
    """The oldest waiting entries the cancelled visit's time suits, at most `limit`."""
    zone = ZoneInfo(await _zone(session, appointment.location))
    start = appointment.starts_at.astimezone(zone)
    fits = await _fitting_kinds(session, appointment, zone)
    if not fits:
        return []
    entry = WaitlistEntry
    statement = (
        select(entry)
        .where(
            col(entry.status) == "waiting",
            col(entry.location) == appointment.location,
            or_(
                col(entry.therapist_id).is_(None),
                col(entry.therapist_id) == appointment.therapist_id,
            ),
            col(entry.patient_id) != appointment.patient_id,  # who just gave the time up
            or_(
                func.cardinality(entry.weekdays) == 0,
                literal(start.weekday()) == any_(col(entry.weekdays)),
            ),
            or_(col(entry.earliest).is_(None), col(entry.earliest) <= start.time()),
            or_(*(_kind_and_end(kind, end) for kind, end in fits.items())),
            ~open_offer(now),
            ~_patient_busy(Interval(appointment.starts_at, appointment.ends_at), now),
        )
        .order_by(col(entry.created_at), col(entry.id))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def _fitting_kinds(
    session: AsyncSession, appointment: Appointment, zone: ZoneInfo
) -> dict[str, time | None]:
    """Each kind of visit that fits in the freed time -> when it would end on the clinic's
    clock (None: on the next day, which no entry's `latest` can allow)."""
    minutes = (appointment.ends_at - appointment.starts_at) // timedelta(minutes=1)
    statement = select(AppointmentType.slug, AppointmentType.duration_minutes).where(
        col(AppointmentType.duration_minutes) <= minutes
    )
    start = appointment.starts_at.astimezone(zone)
    ends = {}
    for slug, duration in (await session.exec(statement)).all():
        end = (appointment.starts_at + timedelta(minutes=duration)).astimezone(zone)
        ends[slug] = end.time() if end.date() == start.date() else None
    return ends


def _kind_and_end(kind: str, end: time | None) -> ColumnElement[bool]:
    latest = col(WaitlistEntry.latest)
    allowed = latest.is_(None) if end is None else or_(latest.is_(None), latest >= end)
    return and_(col(WaitlistEntry.appointment_type) == kind, allowed)


def open_offer(now: datetime) -> ColumnElement[bool]:
    """The entry has an offer still open: not accepted, its hold live."""
    return exists().where(
        col(WaitlistOffer.entry_id) == col(WaitlistEntry.id),
        col(WaitlistOffer.status) == "offered",
        col(Hold.id) == col(WaitlistOffer.hold_id),
        live(now),
    )


def _patient_busy(freed: Interval, now: datetime) -> ColumnElement[bool]:
    """The entry's patient has a live visit, or a live hold, during the freed time."""
    during = func.tstzrange(freed.start, freed.end)
    visit = exists().where(
        col(Appointment.patient_id) == col(WaitlistEntry.patient_id),
        col(Appointment.status).in_(LIVE_STATUSES),
        func.tstzrange(Appointment.starts_at, Appointment.ends_at).op("&&")(during),
    )
    held = exists().where(
        col(Hold.patient_id) == col(WaitlistEntry.patient_id),
        live(now),
        func.tstzrange(Hold.starts_at, Hold.ends_at).op("&&")(during),
    )
    return or_(visit, held)


# -- what an offer is now -----------------------------------------------------------------------


def offer_status(offer: WaitlistOffer, hold: Hold, entry: WaitlistEntry, now: datetime) -> str:
    """`accepted`; `gone` once its entry is booked or withdrawn, or its hold confirmed (for
    another) or released; `expired` past the hold's time; else `offered`."""
    if offer.status == "accepted":
        return "accepted"
    if entry.status != "waiting" or hold.status != "held":
        return "gone"
    return "expired" if hold.expires_at <= now else "offered"


async def offers_made(
    session: AsyncSession, appointment_id: uuid.UUID, *, caller: Caller
) -> list[OfferMade]:
    """The offers the cancellation of this visit made, for the cancellation's answer. A
    patient cancelling their own visit is not shown them: they name other patients."""
    if caller.role == "patient":
        return []
    statement = (
        select(WaitlistOffer, WaitlistEntry.patient_id, Hold.expires_at, Location.time_zone)
        .join(Hold, col(Hold.id) == col(WaitlistOffer.hold_id))
        .join(WaitlistEntry, col(WaitlistEntry.id) == col(WaitlistOffer.entry_id))
        .join(Location, col(Location.slug) == col(Hold.location))
        .where(col(Hold.freed_appointment_id) == appointment_id)
        .order_by(col(WaitlistEntry.created_at), col(WaitlistEntry.id))
    )
    rows = (await session.exec(statement)).all()
    return [
        OfferMade(
            offer_id=offer.id,
            entry_id=offer.entry_id,
            patient_id=patient_id,
            hold_id=offer.hold_id,
            expires_at=expires_at.astimezone(ZoneInfo(zone)),
        )
        for offer, patient_id, expires_at, zone in rows
    ]


async def _zone(session: AsyncSession, slug: str) -> str:
    statement = select(Location.time_zone).where(col(Location.slug) == slug)
    return (await session.exec(statement)).one()
