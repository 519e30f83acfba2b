"""Sign-in throttle keyed by account and address too; refresh tokens found by family.

The throttle now counts under "account:<email> from <address>" keys, longer than the old
column allowed. Old counts are dropped: under the old rule an account-wide count locked the
owner out, which the new rule never does, and every count restarts within 15 minutes anyway.

Revision ID: 7349835679bc
Revises: 67095b0895e5
Created: 2026-11-29 20:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7349835679bc"
down_revision: str | None = "67095b0895e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM patients.sign_in_throttle")
    op.alter_column(
        "sign_in_throttle",
        "key",
        type_=sa.String(length=400),
        existing_type=sa.String(length=300),
        existing_nullable=False,
        schema="patients",
    )
    op.create_index(
        "ix_refresh_token_family_id",
        "refresh_token",
        ["family_id"],
        unique=False,
        schema="patients",
    )


def downgrade() -> None:
    op.drop_index("ix_refresh_token_family_id", table_name="refresh_token", schema="patients")
    op.execute("DELETE FROM patients.sign_in_throttle")  # the new keys mean nothing to old code
    op.alter_column(
        "sign_in_throttle",
        "key",
        type_=sa.String(length=300),
        existing_type=sa.String(length=400),
        existing_nullable=False,
        schema="patients",
    )
