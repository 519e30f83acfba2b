"""Scheduling: therapists' calendar feeds, and pruning the outbox of visit outcomes.

`calendar_feed` keeps the SHA-256 of each feed's secret (never the secret), who made it and
when it was revoked; a partial unique index allows one live feed per therapist. The partial
index on `visit_outcome_outbox.sent_at` serves the relay's deletion of rows sent long ago.

Revision ID: 9fcf6898b033
Revises: b5e9a906f8d4
Created: 2026-11-30 00:40:24.042797+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9fcf6898b033"
down_revision: str | None = "b5e9a906f8d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
        schema="scheduling",
    )
    op.create_index(
        "uq_calendar_feed_live_therapist_id",
        "calendar_feed",
        ["therapist_id"],
        unique=True,
        schema="scheduling",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index(
        "ix_visit_outcome_outbox_sent_at",
        "visit_outcome_outbox",
        ["sent_at"],
        schema="scheduling",
        postgresql_where=sa.text("sent_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_visit_outcome_outbox_sent_at", table_name="visit_outcome_outbox", schema="scheduling"
    )
    op.drop_index(
        "uq_calendar_feed_live_therapist_id", table_name="calendar_feed", schema="scheduling"
    )
    op.drop_table("calendar_feed", schema="scheduling")
