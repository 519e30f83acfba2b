"""Scheduling: appointments, the outbox of visit outcomes, the audit trail, idempotency keys.

`appointment` refuses two live (booked, checked-in or completed) appointments of one
therapist, of one patient or of one room that overlap in time: three partial exclusion
constraints over `tstzrange(starts_at, ends_at)` (btree_gist gives `=` on the ids). Its
clinic and type are their slugs, referenced within the schema. `visit_outcome_outbox` holds
the outcomes of plan visits until they are relayed to the plans service. `audit_event` is
append-only (a trigger refuses UPDATE, DELETE and TRUNCATE), as in the other services.

Revision ID: b5e9a906f8d4
Revises: c3ade9d8d9fb
Created: 2026-11-29 23:14:28.200557+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.common.audit import append_only_function, append_only_statements

revision: str = "b5e9a906f8d4"
down_revision: str | None = "c3ade9d8d9fb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('success', 'denied', 'failure')", name=op.f("ck_audit_event_outcome")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        schema="scheduling",
    )
    op.create_index(
        "ix_audit_event_actor_user_id",
        "audit_event",
        ["actor_user_id", sa.literal_column("id DESC")],
        unique=False,
        schema="scheduling",
    )
    op.create_index(
        "ix_audit_event_patient_id",
        "audit_event",
        ["patient_id", sa.literal_column("id DESC")],
        unique=False,
        schema="scheduling",
    )
    op.create_table(
        "idempotency_key",
        sa.Column("caller", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_method", sa.String(length=10), nullable=False),
        sa.Column("request_path", sa.String(length=2048), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("caller", "key", name=op.f("pk_idempotency_key")),
        schema="scheduling",
    )
    op.create_index(
        op.f("ix_scheduling_idempotency_key_created_at"),
        "idempotency_key",
        ["created_at"],
        unique=False,
        schema="scheduling",
    )
    op.create_table(
        "visit_outcome_outbox",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "outcome IN ('completed', 'undone')", name=op.f("ck_visit_outcome_outbox_outcome")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_visit_outcome_outbox")),
        schema="scheduling",
    )
    op.create_index(
        op.f("ix_scheduling_visit_outcome_outbox_appointment_id"),
        "visit_outcome_outbox",
        ["appointment_id"],
        unique=False,
        schema="scheduling",
    )
    op.create_index(
        "ix_visit_outcome_outbox_due",
        "visit_outcome_outbox",
        ["next_attempt_at"],
        unique=False,
        schema="scheduling",
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "appointment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("location", sa.String(length=40), nullable=False),
        sa.Column("room", sa.String(length=40), nullable=True),
        sa.Column("appointment_type", sa.String(length=40), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late_cancellation", sa.Boolean(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("series_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("location"), "="),
            (sa.column("room"), "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            where=sa.text("room IS NOT NULL AND status IN ('booked', 'checked_in', 'completed')"),
            using="gist",
            name="ex_appointment_room_overlap",
        ),
        postgresql.ExcludeConstraint(
            (sa.column("patient_id"), "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            where=sa.text("status IN ('booked', 'checked_in', 'completed')"),
            using="gist",
            name="ex_appointment_patient_overlap",
        ),
        postgresql.ExcludeConstraint(
            (sa.column("therapist_id"), "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            where=sa.text("status IN ('booked', 'checked_in', 'completed')"),
            using="gist",
            name="ex_appointment_therapist_overlap",
        ),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)",
            name=op.f("ck_appointment_reason_when_cancelled"),
        ),
        sa.CheckConstraint(
            "status = 'cancelled' OR NOT late_cancellation",
            name=op.f("ck_appointment_late_if_cancelled"),
        ),
        sa.CheckConstraint(
            "status IN ('booked', 'checked_in', 'completed', 'no_show', 'cancelled')",
            name=op.f("ck_appointment_status"),
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 240", name=op.f("ck_appointment_duration_range")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointment_ends_after_starts")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_appointment_version_positive")),
        sa.ForeignKeyConstraint(
            ["appointment_type"],
            ["scheduling.appointment_type.slug"],
            name=op.f("fk_appointment_appointment_type_appointment_type"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["location"],
            ["scheduling.location.slug"],
            name=op.f("fk_appointment_location_location"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        schema="scheduling",
    )
    op.create_index(
        "ix_appointment_location_starts_at",
        "appointment",
        ["location", "starts_at", "id"],
        unique=False,
        schema="scheduling",
    )
    op.create_index(
        "ix_appointment_patient_id_starts_at",
        "appointment",
        ["patient_id", "starts_at", "id"],
        unique=False,
        schema="scheduling",
    )
    op.create_index(
        "ix_appointment_plan_id",
        "appointment",
        ["plan_id"],
        unique=False,
        schema="scheduling",
        postgresql_where=sa.text("plan_id IS NOT NULL"),
    )
    op.create_index(
        "ix_appointment_therapist_id_starts_at",
        "appointment",
        ["therapist_id", "starts_at", "id"],
        unique=False,
        schema="scheduling",
    )
    for statement in append_only_statements("scheduling"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index(
        "ix_appointment_therapist_id_starts_at", table_name="appointment", schema="scheduling"
    )
    op.drop_index(
        "ix_appointment_plan_id",
        table_name="appointment",
        schema="scheduling",
        postgresql_where=sa.text("plan_id IS NOT NULL"),
    )
    op.drop_index(
        "ix_appointment_patient_id_starts_at", table_name="appointment", schema="scheduling"
    )
    op.drop_index(
        "ix_appointment_location_starts_at", table_name="appointment", schema="scheduling"
    )
    op.drop_table("appointment", schema="scheduling")
    op.drop_index(
        "ix_visit_outcome_outbox_due",
        table_name="visit_outcome_outbox",
        schema="scheduling",
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.drop_index(
        op.f("ix_scheduling_visit_outcome_outbox_appointment_id"),
        table_name="visit_outcome_outbox",
        schema="scheduling",
    )
    op.drop_table("visit_outcome_outbox", schema="scheduling")
    op.drop_index(
        op.f("ix_scheduling_idempotency_key_created_at"),
        table_name="idempotency_key",
        schema="scheduling",
    )
    op.drop_table("idempotency_key", schema="scheduling")
    op.drop_index("ix_audit_event_patient_id", table_name="audit_event", schema="scheduling")
    op.drop_index("ix_audit_event_actor_user_id", table_name="audit_event", schema="scheduling")
    op.drop_table("audit_event", schema="scheduling")
    op.execute(f"DROP FUNCTION {append_only_function('scheduling')}()")
