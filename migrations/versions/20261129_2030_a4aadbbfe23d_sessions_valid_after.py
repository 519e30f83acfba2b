"""Patients: user_account.sessions_valid_after, the moment before which no sign-in counts.

A refresh token whose family (sign-in) began before it is refused. Set on a password change,
an operator's password reset and a disable, so a token the revocation missed cannot come back
to life when the account is enabled again. Existing rows take the later of the last password
change and a disable still in force (GREATEST skips the NULL of an enabled account).

Revision ID: a4aadbbfe23d
Revises: a6ddc9c04d9c
Created: 2026-11-29 20:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4aadbbfe23d"
down_revision: str | None = "a6ddc9c04d9c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE patients.user_account SET sessions_valid_after = GREATEST(password_changed_at, disabled_at)
"""


def upgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=True),
        schema="patients",
    )
    op.execute(BACKFILL)
    op.alter_column(
        "user_account",
        "sessions_valid_after",
        nullable=False,
        server_default=sa.func.now(),
        schema="patients",
    )


def downgrade() -> None:
    op.drop_column("user_account", "sessions_valid_after", schema="patients")
