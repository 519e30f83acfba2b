"""Making, revoking and reading a therapist's calendar feed.

Who: a therapist makes and revokes their own feed, an admin anyone's (the id confirmed as an
active therapist's account with the patients service first). The feed itself is read with
no token: the secret in its URL is the credential. It answers only while the therapist's
account may act, and names each visit by the patient's initials, asked of the patients
service in one lookup (batches of 200): if it cannot answer, the read is a 503 with
Retry-After, so a calendar app tries again instead of keeping an empty calendar. Every read
is audited under the feed's therapist, with a row on the trail of each patient it showed.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.database import OwnTransaction
from services.common.errors import (
    BadGateway,
    Conflict,
    DependencyUnavailable,
    Forbidden,
    NotFound,
    Problem,
)
from services.scheduling import audit
from services.scheduling.appointments.reads import Reader, audit_list
from services.scheduling.calendar import feeds, ics
from services.scheduling.calendar.feeds import VisitRow
from services.scheduling.clients import PatientNameRef, PatientsClient
from services.scheduling.models import CalendarFeed
from services.scheduling.therapists.service import confirm_therapist

NO_SUCH_FEED = "No calendar feed at this address: it was revoked, or never existed."
FEED_PATH = "/v1/calendar-feeds/{secret}.ics"
RETRY_AFTER = 60  # seconds: calendar apps come back in minutes anyway
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Site:
    """Where the API is reached from outside: the start of a feed's URL, and the domain of
    its events' UIDs."""

    base_url: str

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def feed_url(self, secret: str) -> str:
        return self.base_url + FEED_PATH.format(secret=secret)


def check_keeper(
    therapist_id: uuid.UUID, *, caller: Caller, origin: audit.Origin, action: str
) -> None:
    """The therapist themself or an admin (403 for another therapist, audited)."""
    if caller.role != "admin" and caller.user_id != therapist_id:
        refusal = Forbidden("A therapist makes and revokes only their own calendar feed.")
        raise audit.refused(refusal, action=action, caller=caller, origin=origin, patient_id=None)


async def confirm_active_therapist(
    patients: PatientsClient, therapist_id: uuid.UUID, *, caller: Caller
) -> None:
    """Before a feed is made: the id is a therapist's account (404) that may act (409)."""
    if not await confirm_therapist(patients, therapist_id, caller=caller):
        raise Conflict("The therapist's account is disabled: it gets no calendar feed.")


async def read_feed(
    own: OwnTransaction,
    session: AsyncSession,
    secret: str,
    *,
    patients: PatientsClient,
    site: Site,
    now: datetime,
    origin: audit.Origin,
) -> bytes:
    """The feed's document. The feed and its visits are read in a transaction of their own,
    which ends before the patients service is asked anything."""
    async with own() as reading:
        feed = await feeds.feed_of(reading, secret)
        live = feed is not None and feed.revoked_at is None
        visits = await feeds.visits_shown(reading, feed.therapist_id, now=now) if live else ()
    if feed is None:
        raise _not_found(origin, reason="unknown")
    if feed.revoked_at is not None:
        raise _not_found(origin, reason="revoked", feed=feed)
    names = await _initials(patients, feed, visits, origin=origin)
    appointments = [appointment for appointment, _, _ in visits]
    summary = {"feed_id": str(feed.id), "via": "calendar_feed"}
    reader = Reader(feed.therapist_id, "therapist")
    await audit_list(
        session, "calendar_feed.read", appointments, summary, reader=reader, origin=origin
    )
    shown = [_shown(row, names) for row in visits]
    # A day more each side: a visit's local date may be the day before or after its UTC one.
    spans = ((now - feeds.SHOWS_BACK).date() - DAY, (now + feeds.SHOWS_AHEAD).date() + DAY)
    return ics.calendar_of(shown, uid_domain=site.domain, stamped=now, spans=spans)


async def _initials(
    patients: PatientsClient,
    feed: CalendarFeed,
    visits: Sequence[VisitRow],
    *,
    origin: audit.Origin,
) -> dict[uuid.UUID, PatientNameRef]:
    """The patients' names (initials go out), once the account is known to still act: a
    disabled therapist's feed answers 404. The patients service silent or confused: 503."""
    try:
        account = await patients.account_status(feed.therapist_id)
        if account is None or not account.active or account.role != "therapist":
            raise _not_found(origin, reason="the therapist's account cannot act", feed=feed)
        ids = {appointment.patient_id for appointment, _, _ in visits}
        return await patients.lookup(ids) if ids else {}
    except (DependencyUnavailable, BadGateway) as failure:
        raise DependencyUnavailable(
            "The visits cannot be named right now; try again shortly.", retry_after=RETRY_AFTER
        ) from failure


def _shown(row: VisitRow, names: dict[uuid.UUID, PatientNameRef]) -> ics.FeedVisit:
    appointment, clinic, kind = row
    named = names.get(appointment.patient_id)
    return ics.FeedVisit(
        appointment_id=appointment.id,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        zone=ZoneInfo(clinic.time_zone),
        initials=named.initials if named else None,
        visit_type=kind.name,
        clinic=clinic.name,
        version=appointment.version,
    )


def _not_found(origin: audit.Origin, *, reason: str, feed: CalendarFeed | None = None) -> Problem:
    """404, keeping an audit row of the attempt (under the feed's therapist when known)."""
    row = audit.event(
        action="calendar_feed.read",
        outcome="denied",
        origin=origin,
        actor_user_id=feed.therapist_id if feed else None,
        actor_role="therapist" if feed else None,
        entity=(feeds.ENTITY, feed.id) if feed else None,
        detail={"status": 404, "reason": reason},
    )
    return NotFound(NO_SUCH_FEED).keeping(row)
