"""Plans: indexes of the therapist queues, and when a visit's outcome happened.

The recertification, progress-report and authorization queues read only live (active or
on-hold) plans: partial indexes keep them from walking past every ended plan.
`plan_visit.outcome_at` is the time of the outcome a visit holds, so an event scheduling
delivers late (an older completion after its undoing) changes nothing; existing rows have
none, and any event counts for them.

Revision ID: 62ef1b9e8827
Revises: 08bb3b6620f7
Created: 2026-11-29 22:08:31.549895+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "62ef1b9e8827"
down_revision: str | None = "08bb3b6620f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTHORIZATION_DUE = (
    "status IN ('active', 'on_hold') "
    "AND (authorization_visits IS NOT NULL OR authorization_valid_until IS NOT NULL)"
)


def upgrade() -> None:
    op.create_index(
        "ix_plan_of_care_authorization_due",
        "plan_of_care",
        ["id"],
        unique=False,
        schema="plans",
        postgresql_where=sa.text(AUTHORIZATION_DUE),
    )
    op.create_index(
        "ix_plan_of_care_progress_report_due",
        "plan_of_care",
        ["id"],
        unique=False,
        schema="plans",
        postgresql_where=sa.text(
            "status IN ('active', 'on_hold') AND visits_since_progress_report >= 10"
        ),
    )
    op.create_index(
        "ix_plan_of_care_recertification_due",
        "plan_of_care",
        ["certification_end", "id"],
        unique=False,
        schema="plans",
        postgresql_where=sa.text("status IN ('active', 'on_hold')"),
    )
    op.add_column(
        "plan_visit",
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        schema="plans",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_plan_of_care_authorization_due",
        table_name="plan_of_care",
        schema="plans",
        postgresql_where=sa.text(AUTHORIZATION_DUE),
    )
    op.drop_column("plan_visit", "outcome_at", schema="plans")
    op.drop_index(
        "ix_plan_of_care_recertification_due",
        table_name="plan_of_care",
        schema="plans",
        postgresql_where=sa.text("status IN ('active', 'on_hold')"),
    )
    op.drop_index(
        "ix_plan_of_care_progress_report_due",
        table_name="plan_of_care",
        schema="plans",
        postgresql_where=sa.text(
            "status IN ('active', 'on_hold') AND visits_since_progress_report >= 10"
        ),
    )
