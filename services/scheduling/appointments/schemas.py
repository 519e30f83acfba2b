"""Bodies of appointments: booking one or a series, moving and cancelling one (or the rest of
its series), and what is read back.

Moments carry an offset (a naive time names no instant: 422). Answers give `start` and `end`
on the clinic's clock, with its offset, whatever offset the request used. Read models never
validate: a stored row is answered as it is.
"""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from services.common.pagination import Page
from services.common.schemas import IsoDate, Strict
from services.scheduling.availability.schemas import SlotRead
from services.scheduling.reference.schemas import Slug
from services.scheduling.therapists.schemas import LocalTime, Moment
from services.scheduling.waitlist.schemas import OfferMade

Room = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    Field(description="One of the clinic's rooms (`GET /v1/locations`).", examples=["Gym"]),
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
MAX_SERIES = 100  # visits in one series
CancelScope = Literal["this", "following", "all"]
WarningCode = Literal["authorization_visits_low", "authorization_ending", "progress_report_due"]
START = (
    "When the visit starts, ISO 8601 with its offset: a time on the clinic's grid (every "
    "`CLINIC_SLOT_MINUTES`), not past, within the clinic's opening hours and the therapist's "
    "hours there. A wall time the clinic's clock skips (the spring-forward hour) is refused."
)


class AppointmentCreate(Strict):
    patient_id: uuid.UUID
    therapist_id: uuid.UUID = Field(description="A therapist's user id (`GET /v1/users/me`).")
    location: Slug = Field(examples=["gaithersburg"])
    type: Slug = Field(
        description="An appointment type's slug: `evaluation`, `treatment`, `re-evaluation`.",
        examples=["treatment"],
    )
    start: Moment = Field(description=START)
    plan_id: uuid.UUID | None = Field(
        None,
        description="The plan of care the visit belongs to: it must be the patient's, active, "
        "and cover the visit's date and (with an authorization) have a visit left for it.",
    )
    room: Room | None = None


class RescheduleRequest(Strict):
    """A new start; optionally another therapist or room (a room sent as null clears it).
    The clinic stays: to move a visit to another clinic, cancel it and book there."""

    start: Moment = Field(description=START)
    therapist_id: uuid.UUID | None = Field(None, description="Absent: the same therapist.")
    room: Room | None = Field(None, description="Absent: the same room; null: none.")


class CancelRequest(Strict):
    reason: Reason = Field(examples=["Patient has the flu"])
    scope: CancelScope = Field(
        "this",
        description="For a visit of a series: `this` visit only; `following`: this one and "
        "the later booked visits of its series; `all`: every booked visit of its series not "
        "yet begun. A patient's series-wide cancel is refused whole (409) when any of those "
        "visits starts within 24 hours.",
    )


class AppointmentRead(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    location: str
    room: str | None
    type: str
    duration_minutes: int
    start: datetime = Field(description="On the clinic's clock, with its offset.")
    end: datetime
    status: str = Field(
        description="`booked`, `checked_in`, `completed`, `no_show` or `cancelled`."
    )
    moves: list[str] = Field(
        description="The moves its status allows now (`check-in`, `cancel`, ...); each is a "
        "POST to `/v1/appointments/{id}/<move>`."
    )
    plan_id: uuid.UUID | None
    series_id: uuid.UUID | None
    cancel_reason: str | None
    cancelled_at: datetime | None
    late_cancellation: bool = Field(description="Cancelled less than 24 hours before start.")
    version: int = Field(description="Sent as the ETag.")
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class AppointmentListed(AppointmentRead):
    """An appointment on a staff list, with its patient's name."""

    patient_name: str | None = Field(
        description="The patient's display name (preferred, else given, name and family "
        "name); null when the list's `patient_names` is not `shown`, or for an id the "
        "patients service does not know."
    )


class AppointmentList(Page[AppointmentListed]):
    patient_names: Literal["shown", "unavailable", "withheld"] = Field(
        description="`shown`: names asked of the patients service, one call for the page. "
        "`unavailable`: it did not answer in time, so this page has no names (retry for "
        "them); the appointments are complete. `withheld`: administrators see no names."
    )


class BookingWarning(BaseModel):
    code: WarningCode
    message: str


class AppointmentBooked(AppointmentRead):
    """A booked (or moved) appointment, with what the front desk should know about it."""

    warnings: list[BookingWarning] = Field(
        description="With a plan: two visits or fewer left on the authorization, seven days "
        "or fewer left of it, or a visit past the 10th since the last progress report."
    )


class AppointmentCancelled(AppointmentRead):
    """The appointment cancelled, the other visits of its series cancelled with it, and the
    wait-list offers the freed time went to."""

    also_cancelled: list[uuid.UUID] = Field(
        description="The ids of the other visits of the series the scope took, by start."
    )
    offers: list[OfferMade] = Field(
        description="The wait-list entries offered the freed time, oldest first, each time "
        "kept by one hold until `expires_at`: the first to accept books it. Empty when the "
        "time has begun or suits no entry, and for a patient cancelling their own visit."
    )


# -- series ----------------------------------------------------------------------------------


def _each_once(weekdays: list[int]) -> list[int]:
    if len(set(weekdays)) != len(weekdays):
        raise ValueError("each weekday is given once")
    return sorted(weekdays)


Weekday = Annotated[int, Field(ge=0, le=6)]


class SeriesCreate(Strict):
    """Visits on `weekdays` at `time` on the clinic's clock, from `first_date` on: `count` of
    them, or up to `last_date` (one of the two; with a `plan_id` and neither, the plan's
    visits a week times its weeks)."""

    patient_id: uuid.UUID
    therapist_id: uuid.UUID = Field(description="A therapist's user id (`GET /v1/users/me`).")
    location: Slug = Field(examples=["gaithersburg"])
    type: Slug = Field(
        description="An appointment type's slug: `evaluation`, `treatment`, `re-evaluation`.",
        examples=["treatment"],
    )
    weekdays: Annotated[list[Weekday], AfterValidator(_each_once)] = Field(
        min_length=1,
        max_length=7,
        description="The days of the week, each once: 0 is Monday, 6 is Sunday.",
        examples=[[0, 3]],
    )
    time: LocalTime = Field(
        description="When each visit starts on the clinic's clock, HH:MM, on its grid. On a "
        "day the clock skips it (spring forward) that visit fails; on a day it reads it "
        "twice (fall back), the first.",
        examples=["09:00"],
    )
    first_date: IsoDate = Field(description="The first date the series may take, local.")
    count: int | None = Field(
        None, ge=1, le=MAX_SERIES, description=f"How many visits, 1 to {MAX_SERIES}."
    )
    last_date: IsoDate | None = Field(
        None,
        description=f"The last date the series may take, at most a year after `first_date` "
        f"and at most {MAX_SERIES} visits in between.",
    )
    plan_id: uuid.UUID | None = Field(
        None,
        description="The plan of care the visits belong to: each must fall in its "
        "certification period and (with an authorization) have a visit left for it.",
    )
    partial: bool = Field(
        False,
        description="false: all or nothing (a date that fails books none). true: book the "
        "dates that fit and report the others.",
    )
    room: Room | None = None


class SeriesFailure(BaseModel):
    """A date of the series that could not be booked, why, and what is free near it."""

    date: date
    start: datetime = Field(description="The start asked for, on the clinic's clock.")
    status: int = Field(description="What booking this visit alone would have answered.")
    type: str = Field(description="The problem type booking it alone would have answered.")
    reason: str
    clashes_with: uuid.UUID | None = Field(
        None, description="The appointment (or time off) that holds the time."
    )
    alternatives: list[SlotRead] = Field(
        description="Up to three free slots of the same therapist, clinic and kind of visit "
        "nearest the start asked for, within seven days of it."
    )


class SeriesBooked(BaseModel):
    series_id: uuid.UUID = Field(description="Shared by every visit of the series.")
    booked: list[AppointmentBooked] = Field(description="The visits booked, by start.")
    failures: list[SeriesFailure] = Field(
        description="With `partial`: the dates not booked (empty when all were)."
    )
