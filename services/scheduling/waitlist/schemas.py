"""Bodies of the wait list: an entry as written and read, its offers, and the offers a
cancellation made (listed in the cancellation's answer).

Times of day are the clinic's wall clock (HH:MM); moments are answered on the clinic's clock,
with its offset. Read models never validate: a stored row is answered as it is.
"""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from services.common.schemas import Strict
from services.scheduling.reference.schemas import Slug
from services.scheduling.therapists.schemas import LocalTime

Weekday = Annotated[int, Field(ge=0, le=6)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class WaitlistEntryCreate(Strict):
    patient_id: uuid.UUID
    location: Slug = Field(examples=["gaithersburg"])
    therapist_id: uuid.UUID | None = Field(
        None, description="Only with this therapist (who works there); absent: any who does."
    )
    type: Slug = Field(
        description="The kind of visit wanted: `evaluation`, `treatment`, `re-evaluation`.",
        examples=["treatment"],
    )
    weekdays: list[Weekday] = Field(
        default_factory=list,
        max_length=7,
        description="The days that suit, 0 is Monday, 6 is Sunday; empty: any day.",
    )
    earliest: LocalTime | None = Field(None, description="The visit starts no earlier.")
    latest: LocalTime | None = Field(None, description="The visit ends no later.")
    note: Note | None = Field(None, examples=["Prefers mornings; can come at short notice"])


class OfferRead(BaseModel):
    """A freed time offered to the entry, kept by a hold until it expires."""

    id: uuid.UUID
    hold_id: uuid.UUID
    therapist_id: uuid.UUID
    location: str
    room: str | None
    start: datetime = Field(description="On the clinic's clock, with its offset.")
    end: datetime = Field(description="The end of the freed time: the visit may be shorter.")
    expires_at: datetime = Field(description="Accept before this.")
    status: str = Field(
        description="`offered` (accept it: `POST /v1/waitlist/offers/{id}/accept`), "
        "`accepted`, `gone` (the time went to another patient, was taken back, or the entry "
        "is booked or withdrawn) or `expired`."
    )


class WaitlistEntryRead(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    location: str
    therapist_id: uuid.UUID | None
    type: str
    weekdays: list[int]
    earliest: str | None = Field(description="HH:MM on the clinic's clock.")
    latest: str | None
    note: str | None
    status: str = Field(
        description="`waiting`, `offered` (waiting, with an offer open), `booked` (as "
        "`appointment_id`) or `withdrawn`."
    )
    appointment_id: uuid.UUID | None
    offers: list[OfferRead] = Field(description="Every time offered to it, oldest first.")
    version: int = Field(description="Sent as the ETag.")
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class OfferMade(BaseModel):
    """An offer a cancellation made: to whom, kept by which hold, until when."""

    offer_id: uuid.UUID
    entry_id: uuid.UUID
    patient_id: uuid.UUID
    hold_id: uuid.UUID
    expires_at: datetime = Field(description="On the clinic's clock, with its offset.")
