"""The scheduling service's tables, all in the `scheduling` schema.

Times a person reads off a clinic's wall (opening hours, a therapist's weekly hours) are
stored as local times of day and turned into instants per date with the clinic's IANA time
zone (`local_time.py`); moments that are the same everywhere (time off, appointments) are
stored as `timestamptz`. A therapist is a user id of the patients service, checked over REST
when written, and so is a patient; a plan is a plans service id: no foreign key crosses into
another service's schema.

An appointment holds its time while it is live (booked, checked in, completed): exclusion
constraints refuse two live appointments of one therapist, one patient or one room that
overlap, whatever the application does. A cancelled visit and a no-show hold nothing, so the
time can be booked again (a no-show is marked once the visit has begun, and the rest of the
slot may still go to a walk-in).

A hold keeps a time for a few minutes (`Hold`): while it is live (held, not yet expired) no
one else books that therapist, room or patient then. Expiry needs no sweeper: every check
compares `expires_at` with the clock. Exclusion constraints cannot say "not yet expired", so
holds are kept apart from each other and from appointments by the schedule locks
(`locks.py`) that every writer of a schedule takes before it checks.
"""

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, ExcludeConstraint
from sqlmodel import Field, SQLModel

from services.common.audit import AuditEventFields, audit_id_field, audit_table_args
from services.common.columns import created_at_field, id_field, jsonb_field, timestamp_field
from services.common.database import metadata  # noqa: F401  (naming convention first)
from services.common.idempotency import IdempotencyRecord

SCHEMA = "scheduling"
# A weekday stretch as a range PostgreSQL can compare: the times of day on one fixed date.
_STRETCH = "tsrange(DATE '2000-01-03' + starts, DATE '2000-01-03' + ends)"
APPOINTMENT_STATUSES = ("booked", "checked_in", "completed", "no_show", "cancelled")
LIVE_STATUSES = ("booked", "checked_in", "completed")  # the appointment holds its time
VISIT_OUTCOMES = ("completed", "undone")
HOLD_STATUSES = ("held", "confirmed", "released")  # held and past expires_at: expired
WAITLIST_STATUSES = ("waiting", "booked", "withdrawn")  # waiting with a live offer: offered
OFFER_STATUSES = ("offered", "accepted", "gone")  # offered on an expired hold: expired


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


_LIVE = _one_of("status", LIVE_STATUSES)
_DURING = "tstzrange(starts_at, ends_at)"


def _no_two_live(name: str, *columns: str, where: str = _LIVE) -> ExcludeConstraint:
    """No two live appointments with the same `columns` overlap in time."""
    elements = [(column, "=") for column in columns]
    return ExcludeConstraint(
        *elements, (text(_DURING), "&&"), using="gist", where=text(where), name=name
    )


def _slug_reference(target: str) -> Any:
    return Field(sa_column=Column(ForeignKey(target, ondelete="RESTRICT"), nullable=False))


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


class Appointment(SQLModel, table=True):
    """A visit of one patient with one therapist at one clinic (in a room, if given), from
    `starts_at` to `ends_at` (the type's length when booked). `status` moves booked ->
    checked_in -> completed, or booked -> no_show or cancelled; a completion may be undone
    (back to checked_in). `plan_id` links the visit to a plan of care, whose visit count the
    plans service keeps from the outcomes relayed to it (`VisitOutcomeOutbox`). The visits
    of a series booked in one request share a `series_id`, by which they are cancelled."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint(_one_of("status", APPOINTMENT_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 240", name="duration_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="reason_when_cancelled"
        ),
        CheckConstraint("status = 'cancelled' OR NOT late_cancellation", name="late_if_cancelled"),
        _no_two_live("ex_appointment_therapist_overlap", "therapist_id"),
        _no_two_live("ex_appointment_patient_overlap", "patient_id"),
        _no_two_live(
            "ex_appointment_room_overlap", "location", "room", where=f"room IS NOT NULL AND {_LIVE}"
        ),
        Index("ix_appointment_location_starts_at", "location", "starts_at", "id"),
        Index("ix_appointment_patient_id_starts_at", "patient_id", "starts_at", "id"),
        Index("ix_appointment_therapist_id_starts_at", "therapist_id", "starts_at", "id"),
        Index("ix_appointment_plan_id", "plan_id", postgresql_where=text("plan_id IS NOT NULL")),
        Index(
            "ix_appointment_series_id",
            "series_id",
            "starts_at",
            postgresql_where=text("series_id IS NOT NULL"),
        ),
        # The availability search's busy times: a therapist's visits ending after a window
        # starts (few: the future), read from the index alone. The exclusion constraints'
        # GiST indexes served it poorly (bench/README.md, availability-month).
        Index(
            "ix_appointment_therapist_id_ends_at",
            "therapist_id",
            "ends_at",
            postgresql_include=["starts_at", "status"],
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    location: str = _slug_reference("scheduling.location.slug")
    room: str | None = Field(default=None, max_length=40)
    appointment_type: str = _slug_reference("scheduling.appointment_type.slug")
    duration_minutes: int
    starts_at: datetime = timestamp_field(nullable=False)
    ends_at: datetime = timestamp_field(nullable=False)
    status: str = Field(default="booked", max_length=12)
    cancel_reason: str | None = Field(default=None, max_length=500)
    cancelled_at: datetime | None = timestamp_field()
    late_cancellation: bool = False
    plan_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    version: int = 1
    created_by: uuid.UUID
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class VisitOutcomeOutbox(SQLModel, table=True):
    """A visit of a plan completed, or its completion undone, waiting to be told to the
    plans service. Written in the transaction that changed the visit, so the two commit
    together; a relay sends it after (retrying, with a growing wait, until plans answers) and
    marks it sent. `event_id` makes a repeat harmless on the plans side. Sent rows are deleted
    by the relay after `CLINIC_VISIT_OUTCOME_KEEP_DAYS`."""

    __tablename__ = "visit_outcome_outbox"
    __table_args__ = (
        CheckConstraint(_one_of("outcome", VISIT_OUTCOMES), name="outcome"),
        Index(
            "ix_visit_outcome_outbox_due",
            "next_attempt_at",
            postgresql_where=text("sent_at IS NULL"),
        ),
        Index(  # the relay's pruning of rows sent long ago
            "ix_visit_outcome_outbox_sent_at",
            "sent_at",
            postgresql_where=text("sent_at IS NOT NULL"),
        ),
        {"schema": SCHEMA},
    )

    event_id: uuid.UUID = id_field()
    plan_id: uuid.UUID
    appointment_id: uuid.UUID = Field(index=True)
    outcome: str = Field(max_length=10)
    occurred_at: datetime = timestamp_field(nullable=False)
    visit_date: date
    attempts: int = 0
    next_attempt_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field()
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()


class CalendarFeed(SQLModel, table=True):
    """A therapist's calendar feed: a secret URL a calendar app subscribes to, with no bearer
    token. Only the SHA-256 of the secret is kept (the secret is shown once, when made), so a
    copy of this table opens no feed. A therapist has at most one live feed (the partial
    unique index): making a new one revokes the old, and a revoked feed stays revoked."""

    __tablename__ = "calendar_feed"
    __table_args__ = (
        Index(
            "uq_calendar_feed_live_therapist_id",
            "therapist_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    therapist_id: uuid.UUID
    token_hash: str = Field(max_length=64, unique=True)  # hex SHA-256 of the secret
    created_at: datetime = created_at_field()
    created_by: uuid.UUID
    revoked_at: datetime | None = timestamp_field()


class Hold(SQLModel, table=True):
    """A time kept for a few minutes while the front desk settles a booking, or offered to
    the wait list after a cancellation (`freed_appointment_id`: the cancelled visit whose time
    it offers, to the entries named by its `WaitlistOffer`s). While `held` and before
    `expires_at` it blocks the therapist, the room and the patient (if named) like a booked
    visit; confirmed, it has become `appointment_id`; released or expired, it blocks nothing."""

    __tablename__ = "hold"
    __table_args__ = (
        CheckConstraint(_one_of("status", HOLD_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(status = 'confirmed') = (appointment_id IS NOT NULL)",
            name="appointment_when_confirmed",
        ),
        # What the checks of a booking and the availability search read: held rows by time.
        Index(
            "ix_hold_therapist_id_starts_at",
            "therapist_id",
            "starts_at",
            postgresql_where=text("status = 'held'"),
        ),
        Index(
            "ix_hold_patient_id_starts_at",
            "patient_id",
            "starts_at",
            postgresql_where=text("status = 'held' AND patient_id IS NOT NULL"),
        ),
        Index(
            "ix_hold_location_room_starts_at",
            "location",
            "room",
            "starts_at",
            postgresql_where=text("status = 'held' AND room IS NOT NULL"),
        ),
        Index(
            "ix_hold_freed_appointment_id",
            "freed_appointment_id",
            postgresql_where=text("freed_appointment_id IS NOT NULL"),
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    therapist_id: uuid.UUID
    location: str = _slug_reference("scheduling.location.slug")
    room: str | None = Field(default=None, max_length=40)
    appointment_type: str = _slug_reference("scheduling.appointment_type.slug")
    starts_at: datetime = timestamp_field(nullable=False)
    ends_at: datetime = timestamp_field(nullable=False)
    expires_at: datetime = timestamp_field(nullable=False)
    patient_id: uuid.UUID | None = None
    status: str = Field(default="held", max_length=10)
    appointment_id: uuid.UUID | None = Field(
        default=None, foreign_key="scheduling.appointment.id", ondelete="RESTRICT"
    )
    freed_appointment_id: uuid.UUID | None = Field(
        default=None, foreign_key="scheduling.appointment.id", ondelete="RESTRICT"
    )
    created_by: uuid.UUID
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    version: int = 1


class WaitlistEntry(SQLModel, table=True):
    """A patient waiting for a visit at a clinic (with one therapist, or any who works
    there: `therapist_id` None), of one type, on some weekdays (0 = Monday; none: any) and
    between local times of day (none: any). When a visit there is cancelled, the oldest
    entries that fit are offered its time. `waiting` until booked (`appointment_id`) or
    withdrawn; a waiting entry with a live offer reads as offered."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        CheckConstraint(_one_of("status", WAITLIST_STATUSES), name="status"),
        CheckConstraint("weekdays <@ ARRAY[0, 1, 2, 3, 4, 5, 6]::smallint[]", name="weekdays"),
        CheckConstraint("latest > earliest", name="latest_after_earliest"),
        CheckConstraint(
            "(status = 'booked') = (appointment_id IS NOT NULL)", name="appointment_when_booked"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        # The offers of a cancellation and the list read a clinic's entries oldest first.
        Index("ix_waitlist_entry_location_created_at", "location", "created_at", "id"),
        Index("ix_waitlist_entry_patient_id", "patient_id"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    patient_id: uuid.UUID
    location: str = _slug_reference("scheduling.location.slug")
    therapist_id: uuid.UUID | None = None
    appointment_type: str = _slug_reference("scheduling.appointment_type.slug")
    weekdays: list[int] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(SmallInteger), nullable=False, server_default="{}"),
    )
    earliest: time | None = Field(default=None, sa_type=Time)  # type: ignore[call-overload]
    latest: time | None = Field(default=None, sa_type=Time)  # type: ignore[call-overload]
    note: str | None = Field(default=None, max_length=500)
    status: str = Field(default="waiting", max_length=10)
    appointment_id: uuid.UUID | None = Field(
        default=None, foreign_key="scheduling.appointment.id", ondelete="RESTRICT"
    )
    created_by: uuid.UUID
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    version: int = 1


class WaitlistOffer(SQLModel, table=True):
    """A wait-list entry offered a freed time, kept by one hold for every entry offered it:
    the first to accept books it (`accepted`), the others' offers are then `gone`. An offer
    still `offered` when its hold expires reads as expired."""

    __tablename__ = "waitlist_offer"
    __table_args__ = (
        CheckConstraint(_one_of("status", OFFER_STATUSES), name="status"),
        UniqueConstraint("hold_id", "entry_id"),  # its index also finds a hold's offers
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    hold_id: uuid.UUID = Field(foreign_key="scheduling.hold.id", ondelete="RESTRICT")
    entry_id: uuid.UUID = Field(
        foreign_key="scheduling.waitlist_entry.id", ondelete="RESTRICT", index=True
    )
    status: str = Field(default="offered", max_length=10)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class AuditEvent(AuditEventFields, table=True):
    """Who booked, read, moved or marked which appointment, when, from where; refusals
    too. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE."""

    __tablename__ = "audit_event"
    __table_args__ = audit_table_args(SCHEMA)

    id: int | None = audit_id_field()


class IdempotencyKey(IdempotencyRecord, table=True):
    """Stored answers of the scheduling service's POSTs sent with an `Idempotency-Key`."""

    __tablename__ = "idempotency_key"
    __table_args__ = ({"schema": SCHEMA},)
