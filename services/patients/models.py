"""The patients service's tables, all in the `patients` schema."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from services.common.columns import created_at_field, id_field, jsonb_field, timestamp_field
from services.common.database import metadata  # noqa: F401  (naming convention first)

SCHEMA = "patients"
SEXES = ("female", "male", "other", "unknown")
PATIENT_STATUSES = ("active", "archived")
ACCOUNT_ROLES = ("admin", "therapist", "front_desk", "patient")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Patient(SQLModel, table=True):
    """A person the clinic treats. Archived, never deleted: the record is PHI we must keep."""

    __tablename__ = "patient"
    __table_args__ = (
        CheckConstraint(_one_of("sex", SEXES), name="sex"),
        CheckConstraint(_one_of("status", PATIENT_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    preferred_name: str | None = Field(default=None, max_length=100)
    birth_date: date
    sex: str = Field(max_length=10)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    address: dict[str, Any] | None = jsonb_field()
    home_location: str = Field(max_length=40)
    emergency_contact: dict[str, Any] | None = jsonb_field()
    insurance: dict[str, Any] | None = jsonb_field()
    referring_physician: dict[str, Any] | None = jsonb_field()
    diagnoses: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    status: str = Field(default="active", max_length=10)
    archived_at: datetime | None = timestamp_field()
    archive_reason: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class UserAccount(SQLModel, table=True):
    """A login. Staff accounts carry a role; a patient account is tied to one patient record."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(_one_of("role", ACCOUNT_ROLES), name="role"),
        CheckConstraint(
            "(role = 'patient') = (patient_id IS NOT NULL)", name="patient_link_matches_role"
        ),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=255)
    patient_id: uuid.UUID | None = Field(
        default=None, foreign_key="patients.patient.id", unique=True, ondelete="RESTRICT"
    )
    disabled_at: datetime | None = timestamp_field()
    password_changed_at: datetime = created_at_field()
    created_at: datetime = created_at_field()
