"""Request and response bodies of the scheduling service."""

import uuid
from typing import Any

from pydantic import BaseModel


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
    opening_hours: list[dict[str, Any]]
    rooms: list[str]


class AppointmentTypeRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    duration_minutes: int
    procedure_code: str
