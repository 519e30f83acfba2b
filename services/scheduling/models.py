"""The scheduling service's tables, all in the `scheduling` schema.

Times a person reads off a clinic's wall (opening hours, a therapist's weekly hours) are
stored as local times of day and turned into instants per date with the clinic's IANA time
zone (`local_time.py`); moments that are the same everywhere (time off, and later
appointments) are stored as `timestamptz`. A therapist is a user id of the patients service,
checked over REST when written, so no foreign key crosses into its schema.
"""

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, SmallInteger, String, Time, text
from sqlalchemy.dialects.postgresql import ARRAY, ExcludeConstraint
from sqlmodel import Field, SQLModel

from services.common.columns import created_at_field, id_field, jsonb_field, timestamp_field
from services.common.database import metadata  # noqa: F401  (naming convention first)

SCHEMA = "scheduling"
# A weekday stretch as a range PostgreSQL can compare: the times of day on one fixed date.
_STRETCH = "tsrange(DATE '2000-01-03' + starts, DATE '2000-01-03' + ends)"


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
    """A kind of visit, its length and the procedure code it is usually billed under, with
    the other codes the same visit may be billed under (an evaluation is 97161, 97162 or
    97163 by its complexity, decided at the visit). Admins edit it; `version` is its ETag."""

    __tablename__ = "appointment_type"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 240", name="duration_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    duration_minutes: int
    procedure_code: str = Field(max_length=10)
    alternative_codes: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(10)), nullable=False, server_default="{}"),
    )
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()


class TherapistHours(SQLModel, table=True):
    """One stretch of a therapist's regular week at one clinic, in the clinic's local time
    (`starts` to `ends` on `weekday`, 0 = Monday). The week is replaced whole. Two stretches
    of one therapist never overlap on a weekday, whatever their clinics: the exclusion
    constraint refuses it even if the service's own check were bypassed."""

    __tablename__ = "therapist_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("ends > starts", name="ends_after_starts"),
        ExcludeConstraint(
            ("therapist_id", "="),
            ("weekday", "="),
            (text(_STRETCH), "&&"),
            using="gist",
            name="ex_therapist_hours_no_overlap",
        ),
        Index("ix_therapist_hours_location_id", "location_id", "weekday"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    therapist_id: uuid.UUID
    location_id: uuid.UUID = Field(foreign_key="scheduling.location.id", ondelete="RESTRICT")
    weekday: int = Field(sa_type=SmallInteger)  # type: ignore[call-overload]
    starts: time = Field(sa_type=Time)  # type: ignore[call-overload]
    ends: time = Field(sa_type=Time)  # type: ignore[call-overload]
    created_at: datetime = created_at_field()


class TimeOff(SQLModel, table=True):
    """A stretch of time a therapist is away (leave, training, an afternoon off): nothing is
    bookable with them then, at any clinic. One therapist's stretches never overlap (the
    exclusion constraint, whose index also serves the availability search)."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        ExcludeConstraint(
            ("therapist_id", "="),
            (text("tstzrange(starts_at, ends_at)"), "&&"),
            using="gist",
            name="ex_time_off_no_overlap",
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    therapist_id: uuid.UUID
    starts_at: datetime = timestamp_field(nullable=False)
    ends_at: datetime = timestamp_field(nullable=False)
    reason: str = Field(max_length=500)
    created_by: uuid.UUID
    created_at: datetime = created_at_field()
