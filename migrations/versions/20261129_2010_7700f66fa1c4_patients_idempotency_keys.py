"""Patients: the answers of POSTs sent with an Idempotency-Key, kept 24 hours for replay.

Revision ID: 7700f66fa1c4
Revises: 7349835679bc
Created: 2026-11-25 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7700f66fa1c4"
down_revision: str | None = "7349835679bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("caller", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_method", sa.String(length=10), nullable=False),
        sa.Column("request_path", sa.String(length=2048), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("caller", "key", name=op.f("pk_idempotency_key")),
        schema="patients",
    )
    op.create_index(
        op.f("ix_patients_idempotency_key_created_at"),
        "idempotency_key",
        ["created_at"],
        unique=False,
        schema="patients",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_patients_idempotency_key_created_at"),
        table_name="idempotency_key",
        schema="patients",
    )
    op.drop_table("idempotency_key", schema="patients")
