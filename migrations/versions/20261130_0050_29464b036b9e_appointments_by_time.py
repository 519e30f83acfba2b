"""Scheduling: a therapist's appointments by their end, for the availability search.

The search asks for the live appointments of a clinic's therapists that overlap a window (a
month at most). Asked as overlapping ranges, PostgreSQL answered from an exclusion
constraint's GiST index, and at times from the patient's, walking most of it (1,372 buffers,
17-33 ms for a month over 200,000 appointments: bench/README.md, availability-month). Asked
as `starts_at < end AND ends_at > start`, this index answers it alone (an index-only scan of
the visits ending after the window starts) in under 1 ms, whatever plan is cached.

Revision ID: 29464b036b9e
Revises: b5e9a906f8d4
Created: 2026-11-30 00:50:46.878981+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "29464b036b9e"
down_revision: str | None = "fdb79d85271a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_appointment_therapist_id_ends_at",
        "appointment",
        ["therapist_id", "ends_at"],
        schema="scheduling",
        postgresql_include=["starts_at", "status"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_appointment_therapist_id_ends_at"), table_name="appointment", schema="scheduling"
    )
