"""Request and response bodies of the scheduling service."""

import uuid

from pydantic import BaseModel, Field


class OpeningHours(BaseModel):
    """One day's opening hours at a clinic, in the clinic's own time zone. A day the clinic
    is closed has no entry. (A read model: the bounds are documented, not checked on the way
    out, so stored rows are answered as they are.)"""

    weekday: int = Field(
        description="The day of the week: 0 is Monday, 6 is Sunday (as Python's "
        "date.weekday(); ISO 8601's day number minus one).",
        json_schema_extra={"minimum": 0, "maximum": 6},
    )
    opens: str = Field(
        description="Local opening time, HH:MM on a 24-hour clock.",
        json_schema_extra={"pattern": "^[0-2][0-9]:[0-5][0-9]$", "examples": ["07:00"]},
    )
    closes: str = Field(
        description="Local closing time, HH:MM on a 24-hour clock.",
        json_schema_extra={"pattern": "^[0-2][0-9]:[0-5][0-9]$", "examples": ["19:00"]},
    )


class LocationRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    street: str
    city: str
    state: str
    postal_code: str
    phone: str | None
    time_zone: str
    opening_hours: list[OpeningHours]
    rooms: list[str]


class AppointmentTypeRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    duration_minutes: int
    procedure_code: str
