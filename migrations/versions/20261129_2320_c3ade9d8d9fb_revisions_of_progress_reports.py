"""Plans: a progress report is a revision of the plan (kind `progress_report`).

A progress report changes a signed plan (the goals' statuses, the visit clock), so it writes
the plan's next revision like every other change. The kind is longer than the column held
(12): the column widens to 20, which PostgreSQL does without rewriting the table.

The downgrade fails while any `progress_report` revision exists: revisions are immutable
(a trigger refuses UPDATE and DELETE), so they are not quietly rewritten into another kind.

Revision ID: c3ade9d8d9fb
Revises: 8c0b96cb7260
Created: 2026-11-29 23:20:39.703324+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3ade9d8d9fb"
down_revision: str | None = "8c0b96cb7260"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "kind IN ('signed', 'revised', 'recertified', 'status', 'progress_report')"
KINDS_BEFORE = "kind IN ('signed', 'revised', 'recertified', 'status')"


def _kinds(condition: str) -> None:
    name = op.f("ck_plan_revision_kind")  # as named, not run through the naming convention
    op.drop_constraint(name, "plan_revision", schema="plans", type_="check")
    op.create_check_constraint(name, "plan_revision", condition, schema="plans")


def upgrade() -> None:
    op.alter_column(
        "plan_revision",
        "kind",
        existing_type=sa.VARCHAR(length=12),
        type_=sa.String(length=20),
        existing_nullable=False,
        schema="plans",
    )
    _kinds(KINDS)


def downgrade() -> None:
    _kinds(KINDS_BEFORE)
    op.alter_column(
        "plan_revision",
        "kind",
        existing_type=sa.String(length=20),
        type_=sa.VARCHAR(length=12),
        existing_nullable=False,
        schema="plans",
    )
