"""Bodies of a therapist's weekly hours and time off."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints

from services.common.schemas import Strict
from services.scheduling.reference.schemas import Slug

MAX_WEEK_ENTRIES = 70  # ten stretches a day, more than any week holds
LocalTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(description="A time of day on the clinic's clock, HH:MM (24-hour).", examples=["08:00"]),
]


def _in_scheduling_years(moment: datetime) -> datetime:
    if not 2000 <= moment.year <= 2100:
        raise ValueError("must fall between the years 2000 and 2100")
    return moment


# A moment anywhere: an offset is required (a time without one names no instant).
Moment = Annotated[
    AwareDatetime,
    AfterValidator(_in_scheduling_years),
    Field(examples=["2026-12-24T12:00:00-05:00"]),
]


class HoursEntry(Strict):
    """One stretch of the week at one clinic, on the clinic's clock."""

    location: Slug = Field(examples=["gaithersburg"])
    weekday: int = Field(ge=0, le=6, description="0 is Monday, 6 is Sunday.")
    start: LocalTime
    end: LocalTime


class HoursRead(BaseModel):
    location: str
    weekday: int
    start: str
    end: str


class TherapistWeekRead(BaseModel):
    therapist_id: uuid.UUID
    hours: list[HoursRead] = Field(description="By weekday, then start.")


class TimeOffCreate(Strict):
    start: Moment
    end: Moment = Field(description="After `start`, at most 366 days later.")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class TimeOffRead(BaseModel):
    id: uuid.UUID
    therapist_id: uuid.UUID
    start: datetime
    end: datetime
    reason: str
    created_at: datetime
