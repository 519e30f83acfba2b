"""Scheduling: the visits of a series found by their `series_id` (cancelling "this and the
following" or "all" of them), in order of start.

Revision ID: d315b0110175
Revises: b5e9a906f8d4
Created: 2026-11-30 00:44:45.947035+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d315b0110175"
down_revision: str | None = "9fcf6898b033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_appointment_series_id",
        "appointment",
        ["series_id", "starts_at"],
        unique=False,
        schema="scheduling",
        postgresql_where=sa.text("series_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_appointment_series_id", table_name="appointment", schema="scheduling")
