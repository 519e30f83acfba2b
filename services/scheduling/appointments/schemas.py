"""Bodies of appointments: booking, moving and cancelling one, and what is read back.

Moments carry an offset (a naive time names no instant: 422). Answers give `start` and `end`
on the clinic's clock, with its offset, whatever offset the request used. Read models never
validate: a stored row is answered as it is.
"""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from services.common.schemas import Strict
from services.scheduling.reference.schemas import Slug
from services.scheduling.therapists.schemas import Moment
from services.scheduling.waitlist.schemas import OfferMade

Room = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    Field(description="One of the clinic's rooms (`GET /v1/locations`).", examples=["Gym"]),
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
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
    """A cancelled appointment, with the wait-list offers its freed time went to."""

    offers: list[OfferMade] = Field(
        description="The wait-list entries offered the freed time, oldest first, all kept by "
        "one hold until `expires_at`: the first to accept books it. Empty when the time has "
        "begun or suits no entry, and for a patient cancelling their own visit."
    )
