"""Scheduling: therapists' weekly hours and time off; appointment types become editable.

`therapist_hours` holds each therapist's regular week per clinic (local times of day),
`time_off` the stretches they are away; an exclusion constraint on each refuses overlapping
rows of one therapist. Appointment types gain a `version` (their ETag), `updated_at`, and
`alternative_codes`: an evaluation is billed 97161, 97162 or 97163 by its complexity, so the
seeded evaluation gets the two codes besides its usual 97162 here (seeding only adds rows
that are missing, it never changes one).

Revision ID: 8c0b96cb7260
Revises: 62ef1b9e8827
Created: 2026-11-29 22:10:27.208524+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8c0b96cb7260"
down_revision: str | None = "62ef1b9e8827"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVALUATION_CODES = """
UPDATE scheduling.appointment_type SET alternative_codes = '{97161,97163}'
WHERE slug = 'evaluation' AND procedure_code = '97162' AND alternative_codes = '{}'
"""


def upgrade() -> None:
    op.create_table(
        "time_off",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("therapist_id"), "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            using="gist",
            name="ex_time_off_no_overlap",
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_time_off_ends_after_starts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
        schema="scheduling",
    )
    op.create_table(
        "therapist_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("therapist_id"), "="),
            (sa.column("weekday"), "="),
            (sa.text("tsrange(DATE '2000-01-03' + starts, DATE '2000-01-03' + ends)"), "&&"),
            using="gist",
            name="ex_therapist_hours_no_overlap",
        ),
        sa.CheckConstraint("ends > starts", name=op.f("ck_therapist_hours_ends_after_starts")),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_therapist_hours_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["scheduling.location.id"],
            name=op.f("fk_therapist_hours_location_id_location"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapist_hours")),
        schema="scheduling",
    )
    op.create_index(
        "ix_therapist_hours_location_id",
        "therapist_hours",
        ["location_id", "weekday"],
        unique=False,
        schema="scheduling",
    )
    op.add_column(
        "appointment_type",
        sa.Column(
            "alternative_codes",
            postgresql.ARRAY(sa.String(length=10)),
            server_default="{}",
            nullable=False,
        ),
        schema="scheduling",
    )
    # Existing rows start at version 1; new rows get theirs from the service.
    op.add_column(
        "appointment_type",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="scheduling",
    )
    op.alter_column("appointment_type", "version", server_default=None, schema="scheduling")
    op.create_check_constraint(
        "version_positive", "appointment_type", "version >= 1", schema="scheduling"
    )
    op.add_column(
        "appointment_type",
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        schema="scheduling",
    )
    op.execute(EVALUATION_CODES)


def downgrade() -> None:
    op.drop_column("appointment_type", "updated_at", schema="scheduling")
    op.drop_constraint(
        op.f("ck_appointment_type_version_positive"), "appointment_type", schema="scheduling"
    )
    op.drop_column("appointment_type", "version", schema="scheduling")
    op.drop_column("appointment_type", "alternative_codes", schema="scheduling")
    op.drop_index(
        "ix_therapist_hours_location_id", table_name="therapist_hours", schema="scheduling"
    )
    op.drop_table("therapist_hours", schema="scheduling")
    op.drop_table("time_off", schema="scheduling")
