"""Bodies of holds: holding a time, confirming a hold, and a hold as read back.

A hold's `start`, `end` and `expires_at` are answered on the clinic's clock, with its offset.
Read models never validate: a stored row is answered as it is.
"""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from services.common.schemas import Strict
from services.scheduling.appointments.schemas import START, Room
from services.scheduling.reference.schemas import Slug
from services.scheduling.therapists.schemas import Moment

DEFAULT_MINUTES = 10


class HoldCreate(Strict):
    therapist_id: uuid.UUID = Field(description="A therapist's user id (`GET /v1/users/me`).")
    location: Slug = Field(examples=["gaithersburg"])
    type: Slug = Field(
        description="An appointment type's slug: `evaluation`, `treatment`, `re-evaluation`. "
        "The hold is as long as a visit of this type.",
        examples=["treatment"],
    )
    start: Moment = Field(description=START)
    room: Room | None = None
    patient_id: uuid.UUID | None = Field(
        None,
        description="The patient it is held for, if known yet (else given when confirmed): "
        "the patient's other bookings then are refused too.",
    )
    minutes: int = Field(
        DEFAULT_MINUTES,
        ge=1,
        le=60,
        description="How long the time is held, 1 to 60 minutes; never past the visit's start.",
    )


class HoldConfirm(Strict):
    patient_id: uuid.UUID | None = Field(
        None, description="Whom the visit is for: required unless the hold names the patient."
    )
    plan_id: uuid.UUID | None = Field(
        None,
        description="The plan of care the visit belongs to, checked as a booking's is.",
    )


class HoldRead(BaseModel):
    id: uuid.UUID
    therapist_id: uuid.UUID
    location: str
    room: str | None
    type: str
    start: datetime = Field(description="On the clinic's clock, with its offset.")
    end: datetime
    expires_at: datetime = Field(description="When it stops blocking the time, if still held.")
    patient_id: uuid.UUID | None
    status: str = Field(
        description="`held` (blocking the time), `expired` (held, but past `expires_at`: it "
        "blocks nothing), `confirmed` (into `appointment_id`) or `released`."
    )
    appointment_id: uuid.UUID | None
    freed_appointment_id: uuid.UUID | None = Field(
        description="For a hold that offers a cancelled visit's time to the wait list: that "
        "visit. Such a hold is booked by accepting one of its offers."
    )
    version: int = Field(description="Sent as the ETag.")
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
