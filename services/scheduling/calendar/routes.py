"""HTTP routes of calendar feeds: making and revoking a therapist's feed (with a token), and
the feed itself (`GET /v1/calendar-feeds/{secret}.ics`, no token: the secret is the key)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from services.common.audit import OriginDep
from services.common.auth import Caller, require_role
from services.common.columns import utcnow
from services.common.database import OwnTransactionsDep, SessionDep
from services.common.errors import problem_responses
from services.scheduling.calendar import feeds, service
from services.scheduling.calendar.schemas import CalendarFeedRead
from services.scheduling.clients import PatientsDep

calendar_feed_router = APIRouter(prefix="/v1/therapists", tags=["calendar"])
feeds_router = APIRouter(prefix="/v1/calendar-feeds", tags=["calendar"])
Keeper = Annotated[Caller, Depends(require_role("therapist", "admin"))]
CALENDAR = "text/calendar; charset=utf-8"
FEED_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The therapist's live visits from 30 days back to 180 days ahead, as "
        "iCalendar (RFC 5545): each with the patient's initials and the kind of visit, on "
        "the clinic's clock with its VTIMEZONE.",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    }
}


def site(request: Request) -> service.Site:
    """`CLINIC_PUBLIC_URL` when set; else this request's own base, as the proxy forwarded it."""
    public = request.app.state.settings.public_url
    return service.Site(str(public or request.base_url).rstrip("/"))


SiteDep = Annotated[service.Site, Depends(site)]


@calendar_feed_router.post(
    "/{therapist_id}/calendar-feed",
    response_model=CalendarFeedRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409),
)
async def create_calendar_feed(
    therapist_id: uuid.UUID,
    caller: Keeper,
    session: SessionDep,
    patients: PatientsDep,
    origin: OriginDep,
    where: SiteDep,
) -> Any:
    """Make the therapist's calendar feed (the therapist themself, or an admin); a feed made
    before stops working. The answer's URL holds the secret and is shown only once."""
    action = "calendar_feed.create"
    service.check_keeper(therapist_id, caller=caller, origin=origin, action=action)
    await service.confirm_active_therapist(patients, therapist_id, caller=caller)
    feed, secret = await feeds.open_feed(
        session, therapist_id=therapist_id, caller=caller, origin=origin
    )
    return CalendarFeedRead(url=where.feed_url(secret), created_at=feed.created_at)


@calendar_feed_router.delete(
    "/{therapist_id}/calendar-feed",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
async def revoke_calendar_feed(
    therapist_id: uuid.UUID, caller: Keeper, session: SessionDep, origin: OriginDep
) -> None:
    """Stop the therapist's calendar feed (the therapist themself, or an admin): its URL
    answers 404 from now on. 404 when there is no live feed."""
    action = "calendar_feed.revoke"
    service.check_keeper(therapist_id, caller=caller, origin=origin, action=action)
    await feeds.revoke_feed(session, therapist_id=therapist_id, caller=caller, origin=origin)


@feeds_router.get(
    "/{secret}.ics",
    response_class=Response,
    responses=FEED_ANSWER | problem_responses(404, 503),
)
async def read_calendar_feed(
    secret: str,
    session: SessionDep,
    own: OwnTransactionsDep,
    patients: PatientsDep,
    origin: OriginDep,
    where: SiteDep,
) -> Response:
    """A therapist's visits for a calendar app (no token: the secret in the URL is the key).
    No patient names, ids or diagnoses: initials and the kind of visit. 404 once revoked;
    503 with Retry-After when the patients service cannot name the visits."""
    document = await service.read_feed(
        own, session, secret, patients=patients, site=where, now=utcnow(), origin=origin
    )
    return Response(document, media_type=CALENDAR)
