"""Platform foundation: the three service schemas, btree_gist, and the first tables.

Revision ID: d4f191cb2d8e
Revises:
Created: 2026-11-24 13:11:46.156100+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d4f191cb2d8e"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SCHEMAS = ("patients", "plans", "scheduling")


def upgrade() -> None:
    # Scheduling's exclusion constraints (no overlapping appointments) need btree_gist.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for schema in SCHEMAS:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    op.create_table(
        "patient",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("preferred_name", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("home_location", sa.String(length=40), nullable=False),
        sa.Column("emergency_contact", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("insurance", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("referring_physician", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "diagnoses",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
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
        sa.CheckConstraint(
            "sex IN ('female', 'male', 'other', 'unknown')", name=op.f("ck_patient_sex")
        ),
        sa.CheckConstraint("status IN ('active', 'archived')", name=op.f("ck_patient_status")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_patient_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        schema="patients",
    )
    op.create_table(
        "exercise",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.String(length=1000), nullable=False),
        sa.Column("instructions", sa.String(length=4000), nullable=False),
        sa.Column("body_region", sa.String(length=40), nullable=False),
        sa.Column("equipment", sa.String(length=200), nullable=True),
        sa.Column("default_sets", sa.Integer(), nullable=True),
        sa.Column("default_reps", sa.Integer(), nullable=True),
        sa.Column("default_hold_seconds", sa.Integer(), nullable=True),
        sa.Column("default_times_per_day", sa.Integer(), nullable=True),
        sa.Column("default_days_per_week", sa.Integer(), nullable=True),
        sa.Column("default_side", sa.String(length=5), nullable=False),
        sa.Column("dosage_note", sa.String(length=500), nullable=True),
        sa.Column("precautions", sa.String(length=2000), nullable=True),
        sa.Column("tags", sa.ARRAY(sa.String(length=40)), server_default="{}", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "default_side IN ('left', 'right', 'both', 'each')",
            name=op.f("ck_exercise_default_side"),
        ),
        sa.CheckConstraint(
            "default_hold_seconds IS NULL OR default_hold_seconds BETWEEN 1 AND 600",
            name=op.f("ck_exercise_hold_range"),
        ),
        sa.CheckConstraint(
            "default_reps IS NULL OR default_reps BETWEEN 1 AND 200",
            name=op.f("ck_exercise_reps_range"),
        ),
        sa.CheckConstraint(
            "default_sets IS NULL OR default_sets BETWEEN 1 AND 20",
            name=op.f("ck_exercise_sets_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise")),
        sa.UniqueConstraint("slug", name=op.f("uq_exercise_slug")),
        schema="plans",
    )
    op.create_table(
        "appointment_type",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=10), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 240", name=op.f("ck_appointment_type_duration_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_type")),
        sa.UniqueConstraint("slug", name=op.f("uq_appointment_type_slug")),
        schema="scheduling",
    )
    op.create_table(
        "location",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column(
            "opening_hours",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "rooms", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("slug ~ '^[a-z0-9-]+$'", name=op.f("ck_location_slug_format")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("slug", name=op.f("uq_location_slug")),
        schema="scheduling",
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "password_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role = 'patient') = (patient_id IS NOT NULL)",
            name=op.f("ck_user_account_patient_link_matches_role"),
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'therapist', 'front_desk', 'patient')",
            name=op.f("ck_user_account_role"),
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_user_account_email_lowercase")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.patient.id"],
            name=op.f("fk_user_account_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_user_account_patient_id")),
        schema="patients",
    )


def downgrade() -> None:
    op.drop_table("user_account", schema="patients")
    op.drop_table("location", schema="scheduling")
    op.drop_table("appointment_type", schema="scheduling")
    op.drop_table("exercise", schema="plans")
    op.drop_table("patient", schema="patients")
    for schema in SCHEMAS:
        op.execute(f"DROP SCHEMA IF EXISTS {schema}")
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
