"""Patients: folded search keys and indexes, refresh tokens, sign-in throttle, audit trail.

The audit table is append-only by trigger, not only by code.

Revision ID: 67095b0895e5
Revises: d4f191cb2d8e
Created: 2026-11-24 13:25:26.060724+00:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}  # noqa: RUF001
)
APPEND_ONLY_FUNCTION = """
CREATE FUNCTION patients.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'patients.audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

revision: str = "67095b0895e5"
down_revision: str | None = "d4f191cb2d8e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.CheckConstraint(
            "outcome IN ('success', 'denied', 'failure')", name=op.f("ck_audit_event_outcome")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        schema="patients",
    )
    op.create_index(
        "ix_audit_event_actor_user_id",
        "audit_event",
        ["actor_user_id", sa.literal_column("id DESC")],
        unique=False,
        schema="patients",
    )
    op.create_index(
        "ix_audit_event_patient_id",
        "audit_event",
        ["patient_id", sa.literal_column("id DESC")],
        unique=False,
        schema="patients",
    )
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "window_started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
        schema="patients",
    )
    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("family_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["patients.user_account.id"],
            name=op.f("fk_refresh_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
        schema="patients",
    )
    op.create_index(
        "ix_refresh_token_user_id", "refresh_token", ["user_id"], unique=False, schema="patients"
    )
    op.add_column(
        "patient",
        sa.Column(
            "family_key", sa.String(length=100, collation="C"), nullable=False, server_default=""
        ),
        schema="patients",
    )
    op.add_column(
        "patient",
        sa.Column(
            "given_key", sa.String(length=100, collation="C"), nullable=False, server_default=""
        ),
        schema="patients",
    )
    op.add_column(
        "patient",
        sa.Column(
            "preferred_key", sa.String(length=100, collation="C"), nullable=False, server_default=""
        ),
        schema="patients",
    )
    _backfill_search_keys()
    for column in ("family_key", "given_key", "preferred_key"):
        op.alter_column("patient", column, server_default=None, schema="patients")
    op.create_check_constraint(
        "archived_has_time",
        "patient",
        "(status = 'archived') = (archived_at IS NOT NULL)",
        schema="patients",
    )
    op.create_index(
        "ix_patient_birth_date", "patient", ["birth_date"], unique=False, schema="patients"
    )
    op.create_index(
        "ix_patient_family_key",
        "patient",
        ["family_key", "given_key", "id"],
        unique=False,
        schema="patients",
    )
    op.create_index(
        "ix_patient_given_key", "patient", ["given_key"], unique=False, schema="patients"
    )
    op.create_index("ix_patient_phone", "patient", ["phone"], unique=False, schema="patients")
    op.create_index(
        "ix_patient_preferred_key", "patient", ["preferred_key"], unique=False, schema="patients"
    )
    op.execute(APPEND_ONLY_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE "
        "ON patients.audit_event FOR EACH ROW EXECUTE FUNCTION patients.refuse_audit_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE "
        "ON patients.audit_event FOR EACH STATEMENT EXECUTE FUNCTION patients.refuse_audit_change()"
    )


def _fold(name: str | None) -> str:
    """Lower case without accents; a copy of the app's rule as it stood at this revision."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_LETTERS)[:100]


def _backfill_search_keys() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, family_name, given_name, preferred_name FROM patients.patient")
    ).all()
    for row in rows:
        bind.execute(
            sa.text(
                "UPDATE patients.patient SET family_key = :f, given_key = :g, preferred_key = :p "
                "WHERE id = :id"
            ),
            {
                "f": _fold(row.family_name),
                "g": _fold(row.given_name),
                "p": _fold(row.preferred_name),
                "id": row.id,
            },
        )


def downgrade() -> None:
    op.execute("DROP TABLE patients.audit_event")  # triggers go with it; TRUNCATE is refused
    op.execute("DROP FUNCTION patients.refuse_audit_change()")
    op.drop_constraint("ck_patient_archived_has_time", "patient", schema="patients")
    op.drop_index("ix_patient_preferred_key", table_name="patient", schema="patients")
    op.drop_index("ix_patient_phone", table_name="patient", schema="patients")
    op.drop_index("ix_patient_given_key", table_name="patient", schema="patients")
    op.drop_index("ix_patient_family_key", table_name="patient", schema="patients")
    op.drop_index("ix_patient_birth_date", table_name="patient", schema="patients")
    op.drop_column("patient", "preferred_key", schema="patients")
    op.drop_column("patient", "given_key", schema="patients")
    op.drop_column("patient", "family_key", schema="patients")
    op.drop_index("ix_refresh_token_user_id", table_name="refresh_token", schema="patients")
    op.drop_table("refresh_token", schema="patients")
    op.drop_table("sign_in_throttle", schema="patients")
