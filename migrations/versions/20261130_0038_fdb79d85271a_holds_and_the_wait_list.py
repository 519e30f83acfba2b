"""Scheduling: holds and the wait list.

`hold` keeps a time for a few minutes (the front desk on the phone, or a cancelled visit's
time offered to the wait list); it blocks while `held` and before `expires_at`, which the
checks compare with the clock, so it has no exclusion constraint (one cannot say "not yet
expired"): the schedule locks keep holds and appointments apart. Its partial indexes serve
those checks. `waitlist_entry` holds the patients waiting at a clinic, read oldest first;
`waitlist_offer` ties each entry offered a freed time to the one hold that keeps it.

Revision ID: fdb79d85271a
Revises: b5e9a906f8d4
Created: 2026-11-30 00:38:43.967982+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "fdb79d85271a"
down_revision: str | None = "d315b0110175"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("location", sa.String(length=40), nullable=False),
        sa.Column("room", sa.String(length=40), nullable=True),
        sa.Column("appointment_type", sa.String(length=40), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("freed_appointment_id", sa.Uuid(), nullable=True),
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'confirmed') = (appointment_id IS NOT NULL)",
            name=op.f("ck_hold_appointment_when_confirmed"),
        ),
        sa.CheckConstraint(
            "status IN ('held', 'confirmed', 'released')", name=op.f("ck_hold_status")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_hold_ends_after_starts")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_hold_version_positive")),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["scheduling.appointment.id"],
            name=op.f("fk_hold_appointment_id_appointment"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["appointment_type"],
            ["scheduling.appointment_type.slug"],
            name=op.f("fk_hold_appointment_type_appointment_type"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["freed_appointment_id"],
            ["scheduling.appointment.id"],
            name=op.f("fk_hold_freed_appointment_id_appointment"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["location"],
            ["scheduling.location.slug"],
            name=op.f("fk_hold_location_location"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold")),
        schema="scheduling",
    )
    op.create_index(
        "ix_hold_freed_appointment_id",
        "hold",
        ["freed_appointment_id"],
        unique=False,
        schema="scheduling",
        postgresql_where=sa.text("freed_appointment_id IS NOT NULL"),
    )
    op.create_index(
        "ix_hold_location_room_starts_at",
        "hold",
        ["location", "room", "starts_at"],
        unique=False,
        schema="scheduling",
        postgresql_where=sa.text("status = 'held' AND room IS NOT NULL"),
    )
    op.create_index(
        "ix_hold_patient_id_starts_at",
        "hold",
        ["patient_id", "starts_at"],
        unique=False,
        schema="scheduling",
        postgresql_where=sa.text("status = 'held' AND patient_id IS NOT NULL"),
    )
    op.create_index(
        "ix_hold_therapist_id_starts_at",
        "hold",
        ["therapist_id", "starts_at"],
        unique=False,
        schema="scheduling",
        postgresql_where=sa.text("status = 'held'"),
    )
    op.create_table(
        "waitlist_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("location", sa.String(length=40), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_type", sa.String(length=40), nullable=False),
        sa.Column(
            "weekdays", postgresql.ARRAY(sa.SmallInteger()), server_default="{}", nullable=False
        ),
        sa.Column("earliest", sa.Time(), nullable=True),
        sa.Column("latest", sa.Time(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'booked') = (appointment_id IS NOT NULL)",
            name=op.f("ck_waitlist_entry_appointment_when_booked"),
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'booked', 'withdrawn')", name=op.f("ck_waitlist_entry_status")
        ),
        sa.CheckConstraint(
            "latest > earliest", name=op.f("ck_waitlist_entry_latest_after_earliest")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_waitlist_entry_version_positive")),
        sa.CheckConstraint(
            "weekdays <@ ARRAY[0, 1, 2, 3, 4, 5, 6]::smallint[]",
            name=op.f("ck_waitlist_entry_weekdays"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["scheduling.appointment.id"],
            name=op.f("fk_waitlist_entry_appointment_id_appointment"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["appointment_type"],
            ["scheduling.appointment_type.slug"],
            name=op.f("fk_waitlist_entry_appointment_type_appointment_type"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["location"],
            ["scheduling.location.slug"],
            name=op.f("fk_waitlist_entry_location_location"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entry")),
        schema="scheduling",
    )
    op.create_index(
        "ix_waitlist_entry_location_created_at",
        "waitlist_entry",
        ["location", "created_at", "id"],
        unique=False,
        schema="scheduling",
    )
    op.create_index(
        "ix_waitlist_entry_patient_id",
        "waitlist_entry",
        ["patient_id"],
        unique=False,
        schema="scheduling",
    )
    op.create_table(
        "waitlist_offer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("hold_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
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
            "status IN ('offered', 'accepted', 'gone')", name=op.f("ck_waitlist_offer_status")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["scheduling.waitlist_entry.id"],
            name=op.f("fk_waitlist_offer_entry_id_waitlist_entry"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"],
            ["scheduling.hold.id"],
            name=op.f("fk_waitlist_offer_hold_id_hold"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_offer")),
        sa.UniqueConstraint("hold_id", "entry_id", name=op.f("uq_waitlist_offer_hold_id_entry_id")),
        schema="scheduling",
    )
    op.create_index(
        op.f("ix_scheduling_waitlist_offer_entry_id"),
        "waitlist_offer",
        ["entry_id"],
        unique=False,
        schema="scheduling",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_scheduling_waitlist_offer_entry_id"),
        table_name="waitlist_offer",
        schema="scheduling",
    )
    op.drop_table("waitlist_offer", schema="scheduling")
    op.drop_index("ix_waitlist_entry_patient_id", table_name="waitlist_entry", schema="scheduling")
    op.drop_index(
        "ix_waitlist_entry_location_created_at", table_name="waitlist_entry", schema="scheduling"
    )
    op.drop_table("waitlist_entry", schema="scheduling")
    op.drop_index(
        "ix_hold_therapist_id_starts_at",
        table_name="hold",
        schema="scheduling",
        postgresql_where=sa.text("status = 'held'"),
    )
    op.drop_index(
        "ix_hold_patient_id_starts_at",
        table_name="hold",
        schema="scheduling",
        postgresql_where=sa.text("status = 'held' AND patient_id IS NOT NULL"),
    )
    op.drop_index(
        "ix_hold_location_room_starts_at",
        table_name="hold",
        schema="scheduling",
        postgresql_where=sa.text("status = 'held' AND room IS NOT NULL"),
    )
    op.drop_index(
        "ix_hold_freed_appointment_id",
        table_name="hold",
        schema="scheduling",
        postgresql_where=sa.text("freed_appointment_id IS NOT NULL"),
    )
    op.drop_table("hold", schema="scheduling")
