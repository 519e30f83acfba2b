"""The patients service's tables, all in the `patients` schema."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, event
from sqlmodel import Field, SQLModel

from services.common.audit import AuditEventFields, audit_id_field, audit_table_args
from services.common.columns import created_at_field, id_field, jsonb_field, timestamp_field
from services.common.database import metadata  # noqa: F401  (naming convention first)
from services.common.idempotency import IdempotencyRecord
from services.patients.names import SEARCH_KEY_OF, search_keys

SCHEMA = "patients"
SEXES = ("female", "male", "other", "unknown")
PATIENT_STATUSES = ("active", "archived")
ACCOUNT_ROLES = ("admin", "therapist", "front_desk", "patient")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _search_key() -> Any:
    # Byte-order collation: one btree index serves both `LIKE 'pre%'` and ORDER BY.
    return Field(default="", sa_type=String(100, collation="C"), nullable=False)


class Patient(SQLModel, table=True):
    """A person the clinic treats. Archived, never deleted: the record is PHI we must keep.

    The *_key columns hold the names folded for search (lower case, accents removed), so
    "JOSE" finds "José" through an index.
    """

    __tablename__ = "patient"
    __table_args__ = (
        CheckConstraint(_one_of("sex", SEXES), name="sex"),
        CheckConstraint(_one_of("status", PATIENT_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(status = 'archived') = (archived_at IS NOT NULL)", name="archived_has_time"
        ),
        Index("ix_patient_family_key", "family_key", "given_key", "id"),
        Index("ix_patient_given_key", "given_key"),
        Index("ix_patient_preferred_key", "preferred_key"),
        Index("ix_patient_birth_date", "birth_date"),
        Index("ix_patient_phone", "phone"),
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
    family_key: str = _search_key()
    given_key: str = _search_key()
    preferred_key: str = _search_key()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _fold_names(mapper: Any, connection: Any, patient: Patient) -> None:
    """Keep the search keys in step with the names on every ORM write."""
    names = {name: getattr(patient, name) for name in SEARCH_KEY_OF}
    for key, folded in search_keys(names).items():
        setattr(patient, key, folded)


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
    # No refresh token of a sign-in before this works: moved on a password change or reset
    # and on a disable, so enabling the account again revives no old session.
    sessions_valid_after: datetime = created_at_field()
    created_at: datetime = created_at_field()


class RefreshToken(SQLModel, table=True):
    """A refresh token, stored only as its SHA-256. Each use rotates it within its family;
    a rotated token used again means it was stolen, and the whole family is revoked."""

    __tablename__ = "refresh_token"
    __table_args__ = (
        Index("ix_refresh_token_user_id", "user_id"),
        Index("ix_refresh_token_family_id", "family_id"),  # revoking a family, its start
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="patients.user_account.id", ondelete="CASCADE")
    family_id: uuid.UUID
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = timestamp_field(nullable=False)
    family_expires_at: datetime = timestamp_field(nullable=False)
    used_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class SignInThrottle(SQLModel, table=True):
    """Password attempts counted per account, per account and client address, and per client
    address (see `throttle.py`), kept in PostgreSQL so every replica sees the same counts."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = ({"schema": SCHEMA},)

    # "account:<email> from <address>": an email of 254 and an address of 64 characters fit.
    key: str = Field(primary_key=True, max_length=400)
    failures: int = Field(default=0)
    window_started_at: datetime = created_at_field()
    locked_until: datetime | None = timestamp_field()


class AuditEvent(AuditEventFields, table=True):
    """Who did what to which record, when, from where. Append-only: a trigger refuses
    UPDATE, DELETE and TRUNCATE, whatever the application does."""

    __tablename__ = "audit_event"
    __table_args__ = audit_table_args(SCHEMA)

    id: int | None = audit_id_field()


class IdempotencyKey(IdempotencyRecord, table=True):
    """The answers of `POST /v1/patients` and `POST /v1/patients/{id}/account` sent with an
    `Idempotency-Key`, kept 24 hours so a retry replays them (services/common/idempotency.py)."""

    __tablename__ = "idempotency_key"
    __table_args__ = ({"schema": SCHEMA},)
