"""Calendar feeds in the database: making one (which revokes the therapist's previous one),
revoking it, finding a live one by its secret, and the visits it shows.

The secret is 32 random bytes (43 URL-safe characters) shown once, in the URL the answer
gives. Only its SHA-256 is stored, and a feed is found by that hash through a unique index:
the lookup compares digests of what was sent, never the secret itself, so its timing tells
nothing about any stored secret. A therapist has at most one live feed; making one takes
the therapist's schedule lock, so two made at once leave exactly one live.
"""

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import NotFound
from services.scheduling import audit
from services.scheduling.locks import lock_schedule
from services.scheduling.models import (
    LIVE_STATUSES,
    Appointment,
    AppointmentType,
    CalendarFeed,
    Location,
)

SECRET_BYTES = 32
ENTITY = "calendar_feed"
# What a feed shows: a month back (a visit to look up) and six months ahead.
SHOWS_BACK = timedelta(days=30)
SHOWS_AHEAD = timedelta(days=180)
NO_FEED = "The therapist has no calendar feed."


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


async def open_feed(
    session: AsyncSession, *, therapist_id: uuid.UUID, caller: Caller, origin: audit.Origin
) -> tuple[CalendarFeed, str]:
    """A new live feed of the therapist and its secret; their previous feed, if any, is
    revoked in the same transaction."""
    await lock_schedule(session, "therapist", therapist_id)
    revoked = await _revoke_live(session, therapist_id)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    feed = CalendarFeed(
        therapist_id=therapist_id, token_hash=digest(secret), created_by=caller.user_id
    )
    session.add(feed)
    await session.flush()
    await _record(session, "calendar_feed.create", feed.id, therapist_id, caller, origin, revoked)
    return feed, secret


async def revoke_feed(
    session: AsyncSession, *, therapist_id: uuid.UUID, caller: Caller, origin: audit.Origin
) -> None:
    """The therapist's live feed stops answering (404 when they have none)."""
    revoked = await _revoke_live(session, therapist_id)
    if not revoked:
        raise NotFound(NO_FEED)
    await _record(session, "calendar_feed.revoke", revoked[0], therapist_id, caller, origin, [])


async def _revoke_live(session: AsyncSession, therapist_id: uuid.UUID) -> list[uuid.UUID]:
    statement = (
        update(CalendarFeed)
        .where(
            col(CalendarFeed.therapist_id) == therapist_id, col(CalendarFeed.revoked_at).is_(None)
        )
        .values(revoked_at=func.now())
        .returning(col(CalendarFeed.id))
    )
    return list((await session.exec(statement)).scalars().all())  # type: ignore[call-overload]


async def _record(
    session: AsyncSession,
    action: str,
    feed_id: uuid.UUID,
    therapist_id: uuid.UUID,
    caller: Caller,
    origin: audit.Origin,
    revoked: list[uuid.UUID],
) -> None:
    detail = {"therapist_id": str(therapist_id)}
    if revoked:
        detail["revoked_feed_id"] = str(revoked[0])
    await audit.record(
        session,
        action=action,
        caller=caller,
        origin=origin,
        entity=(ENTITY, feed_id),
        detail=detail,
    )


async def feed_of(session: AsyncSession, secret: str) -> CalendarFeed | None:
    """The feed with this secret, live or revoked (a revoked one is refused by the caller,
    and the attempt audited under its therapist)."""
    statement = select(CalendarFeed).where(col(CalendarFeed.token_hash) == digest(secret))
    return (await session.exec(statement)).first()


VisitRow = tuple[Appointment, Location, AppointmentType]


async def visits_shown(
    session: AsyncSession, therapist_id: uuid.UUID, *, now: datetime
) -> Sequence[VisitRow]:
    """The therapist's live visits starting from SHOWS_BACK before `now` to SHOWS_AHEAD after
    it, by start, each with its clinic and kind."""
    statement = (
        select(Appointment, Location, AppointmentType)
        .join(Location, col(Location.slug) == col(Appointment.location))
        .join(AppointmentType, col(AppointmentType.slug) == col(Appointment.appointment_type))
        .where(
            col(Appointment.therapist_id) == therapist_id,
            col(Appointment.status).in_(LIVE_STATUSES),
            col(Appointment.starts_at) >= now - SHOWS_BACK,
            col(Appointment.starts_at) < now + SHOWS_AHEAD,
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    )
    return (await session.exec(statement)).all()
