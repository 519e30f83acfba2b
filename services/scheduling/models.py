"""The scheduling service's tables, all in the `scheduling` schema."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from services.common.columns import created_at_field, id_field, jsonb_field
from services.common.database import metadata  # noqa: F401  (naming convention first)

SCHEMA = "scheduling"


class Location(SQLModel, table=True):
    """A clinic. Times at a location are local to its IANA time zone."""

    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("slug ~ '^[a-z0-9-]+$'", name="slug_format"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    street: str = Field(max_length=200)
    city: str = Field(max_length=100)
    state: str = Field(max_length=2)
    postal_code: str = Field(max_length=10)
    phone: str | None = Field(default=None, max_length=20)
    time_zone: str = Field(max_length=64)
    opening_hours: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    rooms: list[str] = jsonb_field(default=[], nullable=False)
    created_at: datetime = created_at_field()


class AppointmentType(SQLModel, table=True):
    """A kind of visit, its length and the procedure code it is usually billed under."""

    __tablename__ = "appointment_type"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 240", name="duration_range"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    duration_minutes: int
    procedure_code: str = Field(max_length=10)
    created_at: datetime = created_at_field()
