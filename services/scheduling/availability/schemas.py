"""Bodies of the availability search: free slots, flat and in time order."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class SlotRead(BaseModel):
    start: datetime = Field(
        description="On the clinic's clock, with its offset: `2026-11-01T01:30:00-05:00`."
    )
    end: datetime = Field(description="The start plus the visit's length, in real minutes.")
    therapist_id: uuid.UUID
    location: str


class AvailabilityRead(BaseModel):
    location: str
    type: str
    time_zone: str = Field(description="The clinic's IANA time zone.")
    duration_minutes: int
    slot_minutes: int = Field(description="The grid visits start on (CLINIC_SLOT_MINUTES).")
    slots: list[SlotRead] = Field(description="Every free slot, by start, then therapist.")


class NextSlotsRead(BaseModel):
    type: str
    duration_minutes: int
    slot_minutes: int
    searched_until: datetime = Field(
        description="The search looked no further: fewer slots than asked for means none "
        "free before this moment."
    )
    slots: list[SlotRead] = Field(description="The earliest free slots, by start.")
