"""The seeded neuroma exercises get their cues and keep both ends of their dosage ranges;
a hold of 0 seconds becomes a dosage the library can store.

Seeding only inserts missing rows, so databases seeded before this revision would keep the
old single numbers (15 repetitions, a 5 s hold) and no cues: this revision writes what
`ops/seed_data.py` now seeds. The values are copied here, not imported, so a later edit of
the seed data does not change what this revision does. The downgrade keeps the data (it is
a correction) and only restores the old hold check, a hold of 0 becoming no hold.

Revision ID: 08bb3b6620f7
Revises: 27089e091fdf
Created: 2026-11-29 22:12:39.324463+00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "08bb3b6620f7"
down_revision: str | None = "27089e091fdf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANGE_2_TO_3_HOLD_20_TO_30 = {
    "default_sets": None,
    "default_reps": 2,
    "default_reps_max": 3,
    "default_hold_seconds": 20,
    "default_hold_seconds_max": 30,
}
NEUROMA_EXERCISES: dict[str, dict[str, Any]] = {
    "toe-spreads": {
        "default_sets": None,
        "default_reps": 10,
        "default_reps_max": 15,
        "default_hold_seconds": 3,
        "default_hold_seconds_max": 5,
        "cues": [
            "Sitting or standing, keep the whole foot flat on the floor.",
            "Fan the toes out as far as they go, the little toe out to the side.",
            "Keep the spread for 3 to 5 seconds, then let the toes go loose.",
            "Do 10 to 15 of them; no equipment is needed.",
        ],
    },
    "toe-press-downs": {
        "cues": [
            "Set the pulley low and put the strap around the toes.",
            "Keep the heel on the floor from start to finish.",
            "Push the toes down against the pull, then let them rise slowly.",
            "Work one foot at a time; your therapist sets the load and the count.",
        ],
    },
    "gastroc-soleus-stretch": {
        **RANGE_2_TO_3_HOLD_20_TO_30,
        "cues": [
            "Face the wall with both hands flat on it.",
            "Step one foot back, its toes pointing straight ahead.",
            "Keep the back heel down and the back knee straight.",
            "Lean in until the calf pulls gently, and stay there 20 to 30 seconds.",
            "Stretch each leg 2 to 3 times.",
        ],
    },
    "single-leg-balance": {
        **RANGE_2_TO_3_HOLD_20_TO_30,
        "cues": [
            "Stand tall next to a wall or a sturdy counter.",
            "Lift one foot; keep the standing knee a little bent.",
            "Stay up for 20 to 30 seconds, touching the wall only if you need to.",
            "Do it 2 to 3 times on each side.",
        ],
    },
}
HOLD_CHECK = "hold_range"


def _exercise_table() -> sa.TableClause:
    columns = [sa.column(name, sa.Integer) for name in RANGE_2_TO_3_HOLD_20_TO_30]
    return sa.table(
        "exercise",
        sa.column("slug", sa.String),
        sa.column("cues", postgresql.ARRAY(sa.String)),
        sa.column("version", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        *columns,
        schema="plans",
    )


def _set_hold_check(lowest: int) -> None:
    op.drop_constraint(op.f(f"ck_exercise_{HOLD_CHECK}"), "exercise", schema="plans")
    condition = f"default_hold_seconds IS NULL OR default_hold_seconds BETWEEN {lowest} AND 600"
    op.create_check_constraint(HOLD_CHECK, "exercise", condition, schema="plans")


def upgrade() -> None:
    _set_hold_check(0)
    exercise = _exercise_table()
    for slug, values in NEUROMA_EXERCISES.items():
        op.execute(
            exercise.update()
            .where(exercise.c.slug == slug)
            # A new version: an ETag read before the change no longer matches.
            .values(**values, version=exercise.c.version + 1, updated_at=sa.func.now())
        )


def downgrade() -> None:
    op.execute(
        "UPDATE plans.exercise SET default_hold_seconds = NULL, default_hold_seconds_max = NULL "
        "WHERE default_hold_seconds = 0"
    )
    _set_hold_check(1)
