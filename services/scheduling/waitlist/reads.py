"""Reading the wait list: one entry, or a clinic's list oldest first (a keyset cursor), each
with its offers and what they are now. A waiting entry with an offer open reads as offered.
Each read is audited: a list by a summary row, then one row per patient shown.
"""

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import InvalidInput
from services.common.pagination import after, decode_cursor, page_of, parse_datetime
from services.scheduling import audit
from services.scheduling.appointments.access import therapist_clinics
from services.scheduling.appointments.reads import clinic_zones
from services.scheduling.audited import record
from services.scheduling.models import Hold, WaitlistEntry, WaitlistOffer
from services.scheduling.waitlist.offers import offer_status, open_offer
from services.scheduling.waitlist.schemas import OfferRead, WaitlistEntryRead
from services.scheduling.waitlist.service import subject_of

EntryStatus = Literal["waiting", "offered", "booked", "withdrawn"]


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitlistQuery:
    """`GET /v1/waitlist`: any of a clinic, a therapist, a status; None means any."""

    location: str | None = None
    therapist_id: uuid.UUID | None = None
    status: EntryStatus | None = None

    def asked(self) -> dict[str, str]:
        return {name: str(value) for name, value in asdict(self).items() if value is not None}


async def read_entry(
    session: AsyncSession,
    entry: WaitlistEntry,
    *,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
) -> WaitlistEntryRead:
    await record(session, "waitlist.read", subject_of(entry), caller=caller, origin=origin)
    return (await entry_reads(session, [entry], now=now))[0]


async def list_entries(
    session: AsyncSession,
    *,
    query: WaitlistQuery,
    now: datetime,
    caller: Caller,
    origin: audit.Origin,
    limit: int,
    cursor: str | None,
) -> tuple[list[WaitlistEntryRead], str | None]:
    """Oldest first. A therapist sees the entries at their clinics and those naming them."""
    statement = select(WaitlistEntry).where(*await _filters(session, query, now))
    if caller.role == "therapist":
        clinics = await therapist_clinics(session, caller.user_id)
        statement = statement.where(
            or_(
                col(WaitlistEntry.location).in_(clinics),
                col(WaitlistEntry.therapist_id) == caller.user_id,
            )
        )
    if cursor is not None:
        created_at, entry_id = decode_cursor(cursor, [_cursor_moment, uuid.UUID])
        key = [col(WaitlistEntry.created_at), col(WaitlistEntry.id)]
        statement = statement.where(after(key, [created_at, entry_id]))
    ordered = statement.order_by(col(WaitlistEntry.created_at), col(WaitlistEntry.id))
    rows = (await session.exec(ordered.limit(limit + 1))).all()
    entries, next_cursor = page_of(rows, limit, key=lambda e: (e.created_at.isoformat(), e.id))
    await _audit_list(session, entries, query, caller, origin)
    return await entry_reads(session, entries, now=now), next_cursor


async def _filters(
    session: AsyncSession, query: WaitlistQuery, now: datetime
) -> list[ColumnElement[bool]]:
    """`offered` and `waiting` are both stored as waiting: an open offer tells them apart."""
    filters: list[ColumnElement[bool]] = []
    if query.location is not None:
        if query.location not in await clinic_zones(session):
            raise InvalidInput(
                f"No clinic has the slug {query.location!r}.", field="query.location"
            )
        filters.append(col(WaitlistEntry.location) == query.location)
    if query.therapist_id is not None:
        filters.append(col(WaitlistEntry.therapist_id) == query.therapist_id)
    if query.status in ("waiting", "offered"):
        offered = open_offer(now)
        filters.append(col(WaitlistEntry.status) == "waiting")
        filters.append(offered if query.status == "offered" else ~offered)
    elif query.status is not None:
        filters.append(col(WaitlistEntry.status) == query.status)
    return filters


def _cursor_moment(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment.tzinfo is None:
        raise ValueError("not a moment this service wrote")
    return moment


async def _audit_list(
    session: AsyncSession,
    entries: Sequence[WaitlistEntry],
    query: WaitlistQuery,
    caller: Caller,
    origin: audit.Origin,
) -> None:
    """A summary row of the list, then one per patient shown, pointing back at it."""
    detail = {"filters": query.asked(), "returned": len(entries)}
    summary = audit.event(action="waitlist.list", caller=caller, origin=origin, detail=detail)
    session.add(summary)
    if not entries:
        return
    await session.flush()  # the summary's id, for the rows that point at it
    shown: dict[uuid.UUID, list[str]] = {}
    for entry in entries:
        shown.setdefault(entry.patient_id, []).append(str(entry.id))
    session.add_all(
        audit.event(
            action="waitlist.list",
            caller=caller,
            origin=origin,
            patient_id=patient_id,
            detail={"list_event_id": summary.id, "entry_ids": ids},
        )
        for patient_id, ids in shown.items()
    )


async def entry_reads(
    session: AsyncSession, entries: Sequence[WaitlistEntry], *, now: datetime
) -> list[WaitlistEntryRead]:
    """The entries as answered, each with its offers (one query for all of them)."""
    zones = await clinic_zones(session)
    offers = await _offers_of(session, [entry.id for entry in entries])
    answers = []
    for entry in entries:
        own = [
            _offer_read(offer, hold, entry, zones[hold.location], now)
            for offer, hold in offers.get(entry.id, [])
        ]
        status = entry.status
        if status == "waiting" and any(offer.status == "offered" for offer in own):
            status = "offered"
        answers.append(_entry_read(entry, status, own))
    return answers


async def _offers_of(
    session: AsyncSession, entry_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[WaitlistOffer, Hold]]]:
    if not entry_ids:
        return {}
    statement = (
        select(WaitlistOffer, Hold)
        .join(Hold, col(Hold.id) == col(WaitlistOffer.hold_id))
        .where(col(WaitlistOffer.entry_id).in_(entry_ids))
        .order_by(col(WaitlistOffer.created_at), col(WaitlistOffer.id))
    )
    found: dict[uuid.UUID, list[tuple[WaitlistOffer, Hold]]] = {}
    for offer, hold in (await session.exec(statement)).all():
        found.setdefault(offer.entry_id, []).append((offer, hold))
    return found


def _offer_read(
    offer: WaitlistOffer, hold: Hold, entry: WaitlistEntry, zone: ZoneInfo, now: datetime
) -> OfferRead:
    return OfferRead(
        id=offer.id,
        hold_id=hold.id,
        therapist_id=hold.therapist_id,
        location=hold.location,
        room=hold.room,
        start=hold.starts_at.astimezone(zone),
        end=hold.ends_at.astimezone(zone),
        expires_at=hold.expires_at.astimezone(zone),
        status=offer_status(offer, hold, entry, now),
    )


def _entry_read(entry: WaitlistEntry, status: str, offers: list[OfferRead]) -> WaitlistEntryRead:
    stored = entry.model_dump(exclude={"appointment_type", "earliest", "latest", "status"})
    return WaitlistEntryRead(
        **stored,
        type=entry.appointment_type,
        earliest=_hhmm(entry.earliest),
        latest=_hhmm(entry.latest),
        status=status,
        offers=offers,
    )


def _hhmm(value: time | None) -> str | None:
    return f"{value:%H:%M}" if value is not None else None
