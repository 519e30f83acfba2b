"""Plans: protocols, plans of care with revisions, visits, home sessions, red flags, audit.

The exercise library gains where an exercise is done (`setting`), its equipment as tags (the
old free-text `equipment` becomes `setup`), cues, the high ends of dosage ranges, retirement
and a version. The four seeded neuroma exercises get their tags here, since seeding only adds
what is missing. The plans audit trail and plan revisions are append-only by trigger.

Revision ID: 3e5f7a3e6ad7
Revises: a4aadbbfe23d
Created: 2026-11-29 21:53:54.710108+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.common.audit import append_only_function, append_only_statements

revision: str = "3e5f7a3e6ad7"
down_revision: str | None = "a4aadbbfe23d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY = ("audit_event", "plan_revision")
SEEDED_EXERCISES = {
    "toe-spreads": ("both", ["none"]),
    "toe-press-downs": ("clinic", ["cable-machine", "foot-strap"]),
    "gastroc-soleus-stretch": ("both", ["wall"]),
    "single-leg-balance": ("both", ["none"]),
}


def upgrade() -> None:
    op.create_table(
        "audit_event",
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
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('success', 'denied', 'failure')", name=op.f("ck_audit_event_outcome")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        schema="plans",
    )
    op.create_index(
        "ix_audit_event_actor_user_id",
        "audit_event",
        ["actor_user_id", sa.literal_column("id DESC")],
        unique=False,
        schema="plans",
    )
    op.create_index(
        "ix_audit_event_patient_id",
        "audit_event",
        ["patient_id", sa.literal_column("id DESC")],
        unique=False,
        schema="plans",
    )
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
        schema="plans",
    )
    op.create_index(
        op.f("ix_plans_idempotency_key_created_at"),
        "idempotency_key",
        ["created_at"],
        unique=False,
        schema="plans",
    )
    op.create_table(
        "protocol",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("condition", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column(
            "icd10_codes",
            postgresql.ARRAY(sa.String(length=10)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "exercises",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "education",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "red_flags",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "goals", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("default_frequency_per_week", sa.Integer(), nullable=True),
        sa.Column("default_duration_weeks", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_protocol_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol")),
        sa.UniqueConstraint("slug", name=op.f("uq_protocol_slug")),
        schema="plans",
    )
    op.create_table(
        "plan_of_care",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=40), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("protocol_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("frequency_per_week", sa.Integer(), nullable=False),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column(
            "planned_visits",
            sa.Integer(),
            sa.Computed("frequency_per_week * duration_weeks", persisted=True),
            nullable=True,
        ),
        sa.Column("certification_start", sa.Date(), nullable=False),
        sa.Column("certification_end", sa.Date(), nullable=False),
        sa.Column("authorization_visits", sa.Integer(), nullable=True),
        sa.Column("authorization_valid_from", sa.Date(), nullable=True),
        sa.Column("authorization_valid_until", sa.Date(), nullable=True),
        sa.Column(
            "diagnoses",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "goals", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "program", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "education",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "red_flag_criteria",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "home_equipment",
            postgresql.ARRAY(sa.String(length=40)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("patient_note", sa.String(length=2000), nullable=True),
        sa.Column("staff_note", sa.String(length=4000), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_visits", sa.Integer(), nullable=False),
        sa.Column("visits_since_progress_report", sa.Integer(), nullable=False),
        sa.Column("progress_reports", sa.Integer(), nullable=False),
        sa.Column("last_progress_report_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status = 'draft' OR signed_at IS NOT NULL",
            name=op.f("ck_plan_of_care_signed_unless_draft"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'on_hold', 'completed', 'discontinued')",
            name=op.f("ck_plan_of_care_status"),
        ),
        sa.CheckConstraint(
            "authorization_valid_until IS NULL OR authorization_valid_from IS NULL "
            "OR authorization_valid_until >= authorization_valid_from",
            name=op.f("ck_plan_of_care_authorization_interval"),
        ),
        sa.CheckConstraint(
            "authorization_visits IS NULL OR authorization_visits >= 0",
            name=op.f("ck_plan_of_care_authorization_visits_positive"),
        ),
        sa.CheckConstraint(
            "certification_end >= certification_start "
            "AND certification_end <= certification_start + 90",
            name=op.f("ck_plan_of_care_certification_interval"),
        ),
        sa.CheckConstraint(
            "completed_visits >= 0", name=op.f("ck_plan_of_care_completed_visits_positive")
        ),
        sa.CheckConstraint(
            "duration_weeks BETWEEN 1 AND 52", name=op.f("ck_plan_of_care_duration_range")
        ),
        sa.CheckConstraint(
            "frequency_per_week BETWEEN 1 AND 7", name=op.f("ck_plan_of_care_frequency_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_plan_of_care_version_positive")),
        sa.CheckConstraint(
            "visits_since_progress_report >= 0",
            name=op.f("ck_plan_of_care_visits_since_progress_report_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["plans.protocol.id"],
            name=op.f("fk_plan_of_care_protocol_id_protocol"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_of_care")),
        schema="plans",
    )
    op.create_index(
        "ix_plan_of_care_certification_end",
        "plan_of_care",
        ["certification_end", "id"],
        unique=False,
        schema="plans",
    )
    op.create_index(
        "ix_plan_of_care_patient_id",
        "plan_of_care",
        ["patient_id", "status"],
        unique=False,
        schema="plans",
    )
    op.create_index(
        "ix_plan_of_care_therapist_id",
        "plan_of_care",
        ["therapist_id", "status"],
        unique=False,
        schema="plans",
    )
    op.create_table(
        "home_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column(
            "exercises",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("pain", sa.SmallInteger(), nullable=False),
        sa.Column("numbness", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("pain BETWEEN 0 AND 10", name=op.f("ck_home_session_pain_range")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_home_session_version_positive")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.plan_of_care.id"],
            name=op.f("fk_home_session_plan_id_plan_of_care"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_session")),
        sa.UniqueConstraint(
            "plan_id", "performed_on", name=op.f("uq_home_session_plan_id_performed_on")
        ),
        schema="plans",
    )
    op.create_table(
        "plan_revision",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column(
            "changed_fields",
            postgresql.ARRAY(sa.String(length=40)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("summary", sa.String(length=1000), nullable=True),
        sa.Column(
            "content", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('signed', 'revised', 'recertified', 'status')",
            name=op.f("ck_plan_revision_kind"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_plan_revision_number_positive")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.plan_of_care.id"],
            name=op.f("fk_plan_revision_plan_id_plan_of_care"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("plan_id", "number", name=op.f("pk_plan_revision")),
        schema="plans",
    )
    op.create_table(
        "plan_visit",
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.plan_of_care.id"],
            name=op.f("fk_plan_visit_plan_id_plan_of_care"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_plan_visit")),
        schema="plans",
    )
    op.create_table(
        "program_exercise_use",
        sa.Column("exercise_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["plans.exercise.id"],
            name=op.f("fk_program_exercise_use_exercise_id_exercise"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.plan_of_care.id"],
            name=op.f("fk_program_exercise_use_plan_id_plan_of_care"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "plan_id", name=op.f("pk_program_exercise_use")),
        schema="plans",
    )
    op.create_table(
        "progress_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "goal_statuses",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("note", sa.String(length=4000), nullable=True),
        sa.Column("visits_covered", sa.Integer(), nullable=False),
        sa.Column("completed_visits", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_progress_report_number_positive")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.plan_of_care.id"],
            name=op.f("fk_progress_report_plan_id_plan_of_care"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_report")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_progress_report_plan_id_number")),
        schema="plans",
    )
    op.create_table(
        "visit_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "outcome IN ('completed', 'undone')", name=op.f("ck_visit_event_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.plan_of_care.id"],
            name=op.f("fk_visit_event_plan_id_plan_of_care"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_visit_event")),
        schema="plans",
    )
    op.create_table(
        "red_flag",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column(
            "raised_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledgement_note", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "reason IN ('pain_high', 'pain_rising', 'new_numbness')",
            name=op.f("ck_red_flag_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.plan_of_care.id"],
            name=op.f("fk_red_flag_plan_id_plan_of_care"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["plans.home_session.id"],
            name=op.f("fk_red_flag_session_id_home_session"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_flag")),
        sa.UniqueConstraint("session_id", "reason", name=op.f("uq_red_flag_session_id_reason")),
        schema="plans",
    )
    op.create_index(
        "ix_red_flag_open",
        "red_flag",
        ["plan_id"],
        unique=False,
        schema="plans",
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.alter_column("exercise", "equipment", new_column_name="setup", schema="plans")
    op.add_column(
        "exercise",
        sa.Column(
            "equipment", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        schema="plans",
    )
    for name, default in (("setting", "'both'"), ("version", "1")):
        column_type = sa.String(length=6) if name == "setting" else sa.Integer()
        op.add_column(
            "exercise",
            sa.Column(name, column_type, server_default=sa.text(default), nullable=False),
            schema="plans",
        )
        op.alter_column("exercise", name, server_default=None, schema="plans")
    op.add_column(
        "exercise",
        sa.Column(
            "cues", postgresql.ARRAY(sa.String(length=300)), server_default="{}", nullable=False
        ),
        schema="plans",
    )
    for name in ("default_sets_max", "default_reps_max", "default_hold_seconds_max"):
        op.add_column("exercise", sa.Column(name, sa.Integer(), nullable=True), schema="plans")
    op.add_column(
        "exercise",
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        schema="plans",
    )
    op.add_column(
        "exercise",
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        schema="plans",
    )
    for check, condition in (
        ("setting", "setting IN ('home', 'clinic', 'both')"),
        ("sets_max", "default_sets_max IS NULL OR default_sets_max >= default_sets"),
        ("reps_max", "default_reps_max IS NULL OR default_reps_max >= default_reps"),
        (
            "hold_max",
            "default_hold_seconds_max IS NULL OR default_hold_seconds_max >= default_hold_seconds",
        ),
        ("version_positive", "version >= 1"),
    ):
        op.create_check_constraint(check, "exercise", condition, schema="plans")
    exercise = sa.table(
        "exercise",
        sa.column("slug", sa.String),
        sa.column("setting", sa.String),
        sa.column("equipment", postgresql.ARRAY(sa.String)),
        schema="plans",
    )
    for slug, (setting, equipment) in SEEDED_EXERCISES.items():
        op.execute(
            exercise.update()
            .where(exercise.c.slug == slug)
            .values(setting=setting, equipment=equipment)
        )
    for table in APPEND_ONLY:
        for statement in append_only_statements("plans", table):
            op.execute(statement)


def downgrade() -> None:
    for check in ("setting", "sets_max", "reps_max", "hold_max", "version_positive"):
        op.drop_constraint(op.f(f"ck_exercise_{check}"), "exercise", schema="plans")
    for name in (
        "updated_at",
        "version",
        "retired_at",
        "default_hold_seconds_max",
        "default_reps_max",
        "default_sets_max",
        "cues",
        "setting",
        "equipment",
    ):
        op.drop_column("exercise", name, schema="plans")
    op.alter_column("exercise", "setup", new_column_name="equipment", schema="plans")
    op.drop_index(
        "ix_red_flag_open",
        table_name="red_flag",
        schema="plans",
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.drop_table("red_flag", schema="plans")
    op.drop_table("visit_event", schema="plans")
    op.drop_table("progress_report", schema="plans")
    op.drop_table("program_exercise_use", schema="plans")
    op.drop_table("plan_visit", schema="plans")
    op.drop_table("plan_revision", schema="plans")
    op.drop_table("home_session", schema="plans")
    op.drop_index("ix_plan_of_care_therapist_id", table_name="plan_of_care", schema="plans")
    op.drop_index("ix_plan_of_care_patient_id", table_name="plan_of_care", schema="plans")
    op.drop_index("ix_plan_of_care_certification_end", table_name="plan_of_care", schema="plans")
    op.drop_table("plan_of_care", schema="plans")
    op.drop_table("protocol", schema="plans")
    op.drop_index(
        op.f("ix_plans_idempotency_key_created_at"), table_name="idempotency_key", schema="plans"
    )
    op.drop_table("idempotency_key", schema="plans")
    op.drop_index("ix_audit_event_patient_id", table_name="audit_event", schema="plans")
    op.drop_index("ix_audit_event_actor_user_id", table_name="audit_event", schema="plans")
    op.drop_table("audit_event", schema="plans")
    for table in APPEND_ONLY:
        op.execute(f"DROP FUNCTION {append_only_function('plans', table)}()")
