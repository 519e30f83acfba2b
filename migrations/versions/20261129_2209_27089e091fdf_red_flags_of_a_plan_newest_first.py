"""Plans: an index on red_flag (plan_id, raised_at, id), for a plan's red flags newest first.

The partial index on open flags serves the flagged queue; a therapist reading all of a
plan's flags, acknowledged ones too, needs this one.

Revision ID: 27089e091fdf
Revises: 3e5f7a3e6ad7
Created: 2026-11-29 22:09:41.594794+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "27089e091fdf"
down_revision: str | None = "3e5f7a3e6ad7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_red_flag_plan_id",
        "red_flag",
        ["plan_id", "raised_at", "id"],
        unique=False,
        schema="plans",
    )


def downgrade() -> None:
    op.drop_index("ix_red_flag_plan_id", table_name="red_flag", schema="plans")
