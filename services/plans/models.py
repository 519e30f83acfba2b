"""The plans service's tables, all in the `plans` schema.

The library (exercises, protocols) is reference data the clinic edits. A plan of care keeps
its content (diagnoses, goals, program, education, red-flag criteria) as JSONB documents whose
shapes are the stored models in `services/plans/content.py`: a program item copies the
exercise's words when it is added, so a later edit of the library never changes what a
patient was given. A signed plan's every change writes an immutable `PlanRevision` holding
the whole plan as it then stood.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from services.common.audit import AuditEventFields, audit_id_field, audit_table_args
from services.common.columns import created_at_field, id_field, jsonb_field, timestamp_field
from services.common.database import metadata  # noqa: F401  (naming convention first)
from services.common.idempotency import IdempotencyRecord

SCHEMA = "plans"
SIDES = ("left", "right", "both", "each")
SETTINGS = ("home", "clinic", "both")  # where an exercise can be done
PARTS = ("home", "clinic")  # which part of a plan's program an item is in
PLAN_STATUSES = ("draft", "active", "on_hold", "completed", "discontinued")
LIVE_STATUSES = ("active", "on_hold")  # signed and not ended: visits go on, reports fall due
PROGRESS_REPORT_VISITS = 10  # a progress report is due every 10 visits
RED_FLAG_REASONS = ("pain_high", "pain_rising", "new_numbness")
REVISION_KINDS = ("signed", "revised", "recertified", "status")
CERTIFICATION_DAYS = 90  # the longest certification interval, in calendar days


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _text_array(length: int) -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(length)), nullable=False, server_default="{}"),
    )


def _uuid_reference(target: str, *, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(ForeignKey(target, ondelete="RESTRICT"), nullable=nullable),
    )


def _updated_at_field() -> Any:
    return created_at_field()


# -- the library ---------------------------------------------------------------------------


class Exercise(SQLModel, table=True):
    """An exercise of the library, with the dosage a therapist starts from. A range (hold
    3-5 s, 10-15 repetitions) keeps both ends: `default_reps` is the low end and
    `default_reps_max` the high one (null when the dosage is one number). Used by a plan,
    an exercise is retired, never deleted (a foreign key from `program_exercise_use`)."""

    __tablename__ = "exercise"
    __table_args__ = (
        CheckConstraint(_one_of("default_side", SIDES), name="default_side"),
        CheckConstraint(_one_of("setting", SETTINGS), name="setting"),
        CheckConstraint("default_sets IS NULL OR default_sets BETWEEN 1 AND 20", name="sets_range"),
        CheckConstraint(
            "default_reps IS NULL OR default_reps BETWEEN 1 AND 200", name="reps_range"
        ),
        CheckConstraint(
            "default_hold_seconds IS NULL OR default_hold_seconds BETWEEN 0 AND 600",
            name="hold_range",
        ),
        CheckConstraint(
            "default_sets_max IS NULL OR default_sets_max >= default_sets", name="sets_max"
        ),
        CheckConstraint(
            "default_reps_max IS NULL OR default_reps_max >= default_reps", name="reps_max"
        ),
        CheckConstraint(
            "default_hold_seconds_max IS NULL OR default_hold_seconds_max >= default_hold_seconds",
            name="hold_max",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    purpose: str = Field(max_length=1000)
    instructions: str = Field(max_length=4000)
    body_region: str = Field(max_length=40)
    setting: str = Field(default="both", max_length=6)
    equipment: list[str] = _text_array(40)  # tags: none, wall, cable-machine, foot-strap...
    setup: str | None = Field(default=None, max_length=200)  # the equipment in words
    cues: list[str] = _text_array(300)
    default_sets: int | None = None
    default_sets_max: int | None = None
    default_reps: int | None = None
    default_reps_max: int | None = None
    default_hold_seconds: int | None = None
    default_hold_seconds_max: int | None = None
    default_times_per_day: int | None = None
    default_days_per_week: int | None = None
    default_side: str = Field(default="both", max_length=5)
    dosage_note: str | None = Field(default=None, max_length=500)
    precautions: str | None = Field(default=None, max_length=2000)
    tags: list[str] = _text_array(40)
    retired_at: datetime | None = timestamp_field()
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = _updated_at_field()


class Protocol(SQLModel, table=True):
    """A condition's template for a plan: its ICD-10-CM codes, exercises with default dosage,
    education items and the red-flag criteria for referral. Data, edited by admins."""

    __tablename__ = "protocol"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"), {"schema": SCHEMA})

    id: uuid.UUID = id_field()
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    condition: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    icd10_codes: list[str] = _text_array(10)
    # [content.ProtocolExercise]: exercise_id, slug, part, dosage
    exercises: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    # [content.EducationItem]
    education: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    # content.RedFlagCriteria
    red_flags: dict[str, Any] = jsonb_field(default={}, nullable=False)
    # [content.GoalTemplate]
    goals: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    default_frequency_per_week: int | None = None
    default_duration_weeks: int | None = None
    retired_at: datetime | None = timestamp_field()
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = _updated_at_field()


# -- plans of care -------------------------------------------------------------------------


class PlanOfCare(SQLModel, table=True):
    """A patient's plan of care, as it stands now. `version` is the ETag (every change bumps
    it); `revision` is the number of the current signed revision (0 while a draft)."""

    __tablename__ = "plan_of_care"
    __table_args__ = (
        CheckConstraint(_one_of("status", PLAN_STATUSES), name="status"),
        CheckConstraint("frequency_per_week BETWEEN 1 AND 7", name="frequency_range"),
        CheckConstraint("duration_weeks BETWEEN 1 AND 52", name="duration_range"),
        CheckConstraint(
            "certification_end >= certification_start "
            f"AND certification_end <= certification_start + {CERTIFICATION_DAYS}",
            name="certification_interval",
        ),
        CheckConstraint(
            "authorization_valid_until IS NULL OR authorization_valid_from IS NULL "
            "OR authorization_valid_until >= authorization_valid_from",
            name="authorization_interval",
        ),
        CheckConstraint(
            "authorization_visits IS NULL OR authorization_visits >= 0",
            name="authorization_visits_positive",
        ),
        CheckConstraint("status = 'draft' OR signed_at IS NOT NULL", name="signed_unless_draft"),
        CheckConstraint("completed_visits >= 0", name="completed_visits_positive"),
        CheckConstraint(
            "visits_since_progress_report >= 0", name="visits_since_progress_report_positive"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_plan_of_care_patient_id", "patient_id", "status"),
        Index("ix_plan_of_care_therapist_id", "therapist_id", "status"),
        Index("ix_plan_of_care_certification_end", "certification_end", "id"),
        # The therapist queues (services/plans/queues): each reads only live plans, which a
        # plain index would make it walk past every ended plan to find.
        Index(
            "ix_plan_of_care_recertification_due",
            "certification_end",
            "id",
            postgresql_where=text(_one_of("status", LIVE_STATUSES)),
        ),
        Index(
            "ix_plan_of_care_progress_report_due",
            "id",
            postgresql_where=text(
                f"{_one_of('status', LIVE_STATUSES)} "
                f"AND visits_since_progress_report >= {PROGRESS_REPORT_VISITS}"
            ),
        ),
        Index(
            "ix_plan_of_care_authorization_due",
            "id",
            postgresql_where=text(
                f"{_one_of('status', LIVE_STATUSES)} AND (authorization_visits IS NOT NULL "
                "OR authorization_valid_until IS NOT NULL)"
            ),
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    patient_id: uuid.UUID  # a patients-service patient, checked over REST when written
    therapist_id: uuid.UUID  # the therapist's account id (patients service)
    therapist_name: str = Field(max_length=200)  # as the patients service gave it
    location: str = Field(max_length=40)  # a scheduling location slug, checked over REST
    time_zone: str = Field(max_length=64)  # the location's, as scheduling gave it: "today"
    protocol_id: uuid.UUID | None = _uuid_reference(f"{SCHEMA}.protocol.id", nullable=True)
    status: str = Field(default="draft", max_length=12)
    status_reason: str | None = Field(default=None, max_length=1000)
    version: int = Field(default=1)
    revision: int = Field(default=0)

    start_date: date
    frequency_per_week: int
    duration_weeks: int
    planned_visits: int | None = Field(
        default=None,
        sa_column=Column(Integer, Computed("frequency_per_week * duration_weeks", persisted=True)),
    )
    certification_start: date
    certification_end: date
    authorization_visits: int | None = None
    authorization_valid_from: date | None = None
    authorization_valid_until: date | None = None

    # [content.Diagnosis], [content.Goal], [content.ProgramItem], [content.EducationItem]
    diagnoses: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    goals: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    program: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    education: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    red_flag_criteria: dict[str, Any] = jsonb_field(default={}, nullable=False)
    home_equipment: list[str] = _text_array(40)  # equipment tags the patient has at home
    patient_note: str | None = Field(default=None, max_length=2000)
    staff_note: str | None = Field(default=None, max_length=4000)

    signed_by: uuid.UUID | None = None
    signed_at: datetime | None = timestamp_field()
    completed_visits: int = Field(default=0)
    visits_since_progress_report: int = Field(default=0)
    progress_reports: int = Field(default=0)  # how many were recorded
    last_progress_report_at: datetime | None = timestamp_field()

    created_by: uuid.UUID
    created_at: datetime = created_at_field()
    updated_at: datetime = _updated_at_field()


class PlanRevision(SQLModel, table=True):
    """One signed state of a plan: the whole plan as it then stood (`content`, the shape of
    the therapists' read of a plan), who made the change, when, and which fields changed.
    Immutable: a trigger refuses UPDATE and DELETE."""

    __tablename__ = "plan_revision"
    __table_args__ = (
        CheckConstraint(_one_of("kind", REVISION_KINDS), name="kind"),
        CheckConstraint("number >= 1", name="number_positive"),
        {"schema": SCHEMA},
    )

    plan_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey(f"{SCHEMA}.plan_of_care.id", ondelete="RESTRICT"), primary_key=True
        )
    )
    number: int = Field(primary_key=True)
    kind: str = Field(max_length=12)
    changed_fields: list[str] = _text_array(40)
    summary: str | None = Field(default=None, max_length=1000)
    content: dict[str, Any] = jsonb_field(default={}, nullable=False)
    plan_version: int
    changed_by: uuid.UUID
    changed_at: datetime = created_at_field()


class ProgramExerciseUse(SQLModel, table=True):
    """That an exercise went into a plan's program at least once: the reason it can be
    retired but never deleted (the foreign key refuses the delete)."""

    __tablename__ = "program_exercise_use"
    __table_args__ = ({"schema": SCHEMA},)

    exercise_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.exercise.id", ondelete="RESTRICT"), primary_key=True)
    )
    plan_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey(f"{SCHEMA}.plan_of_care.id", ondelete="RESTRICT"), primary_key=True
        )
    )


class ProgressReport(SQLModel, table=True):
    """A progress report: each goal's status and a note. Restarts the visit clock."""

    __tablename__ = "progress_report"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    plan_id: uuid.UUID = _uuid_reference(f"{SCHEMA}.plan_of_care.id")
    number: int
    goal_statuses: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    note: str | None = Field(default=None, max_length=4000)
    visits_covered: int = Field(default=0)  # visits since the previous report
    completed_visits: int = Field(default=0)  # the plan's total when it was written
    created_by: uuid.UUID
    created_at: datetime = created_at_field()


class PlanVisit(SQLModel, table=True):
    """A visit of the plan that scheduling reported completed (and maybe later undone).
    `cycle` is the number of progress reports the plan had when the visit was completed:
    an undone visit is taken off `visits_since_progress_report` only within its cycle."""

    __tablename__ = "plan_visit"
    __table_args__ = ({"schema": SCHEMA},)

    appointment_id: uuid.UUID = Field(primary_key=True)
    plan_id: uuid.UUID = _uuid_reference(f"{SCHEMA}.plan_of_care.id")
    completed: bool = True
    cycle: int = 0
    visit_date: date | None = None
    # When the outcome the row holds happened (the event's occurred_at): an event that
    # happened before it arrived late and changes nothing.
    outcome_at: datetime | None = timestamp_field()
    updated_at: datetime = _updated_at_field()


class VisitEvent(SQLModel, table=True):
    """An outcome scheduling reported, by its event id: a repeat finds the row and changes
    nothing."""

    __tablename__ = "visit_event"
    __table_args__ = (
        CheckConstraint("outcome IN ('completed', 'undone')", name="outcome"),
        {"schema": SCHEMA},
    )

    event_id: uuid.UUID = Field(primary_key=True)
    plan_id: uuid.UUID = _uuid_reference(f"{SCHEMA}.plan_of_care.id")
    appointment_id: uuid.UUID
    outcome: str = Field(max_length=10)
    occurred_at: datetime = timestamp_field(nullable=False)
    received_at: datetime = created_at_field()


# -- home sessions and red flags -------------------------------------------------------------


class HomeSession(SQLModel, table=True):
    """One day's home exercise log of a plan, written by the patient. One per plan per day."""

    __tablename__ = "home_session"
    __table_args__ = (
        UniqueConstraint("plan_id", "performed_on"),
        CheckConstraint("pain BETWEEN 0 AND 10", name="pain_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    plan_id: uuid.UUID = _uuid_reference(f"{SCHEMA}.plan_of_care.id")
    patient_id: uuid.UUID
    performed_on: date
    # [content.ExerciseDone]: slug, sets, reps
    exercises: list[dict[str, Any]] = jsonb_field(default=[], nullable=False)
    pain: int = Field(sa_column=Column(SmallInteger, nullable=False))
    numbness: bool = False
    note: str | None = Field(default=None, max_length=2000)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = _updated_at_field()


class RedFlag(SQLModel, table=True):
    """A log that met one of the plan's red-flag criteria, until a therapist acknowledges it."""

    __tablename__ = "red_flag"
    __table_args__ = (
        CheckConstraint(_one_of("reason", RED_FLAG_REASONS), name="reason"),
        UniqueConstraint("session_id", "reason"),
        Index("ix_red_flag_plan_id", "plan_id", "raised_at", "id"),  # a plan's, newest first
        Index(
            "ix_red_flag_open",
            "plan_id",
            postgresql_where=text("acknowledged_at IS NULL"),
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    plan_id: uuid.UUID = _uuid_reference(f"{SCHEMA}.plan_of_care.id")
    session_id: uuid.UUID = _uuid_reference(f"{SCHEMA}.home_session.id")
    reason: str = Field(max_length=20)
    detail: str = Field(max_length=1000)
    raised_at: datetime = created_at_field()
    acknowledged_by: uuid.UUID | None = None
    acknowledged_at: datetime | None = timestamp_field()
    acknowledgement_note: str | None = Field(default=None, max_length=2000)


# -- audit and idempotency -------------------------------------------------------------------


class AuditEvent(AuditEventFields, table=True):
    """Who read or changed which plan, session, adherence or handout, when, from where.
    Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE."""

    __tablename__ = "audit_event"
    __table_args__ = audit_table_args(SCHEMA)

    id: int | None = audit_id_field()


class IdempotencyKey(IdempotencyRecord, table=True):
    """Stored answers of the plans service's POSTs sent with an `Idempotency-Key`."""

    __tablename__ = "idempotency_key"
    __table_args__ = ({"schema": SCHEMA},)
