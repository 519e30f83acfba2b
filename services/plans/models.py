"""The plans service's tables, all in the `plans` schema."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from services.common.columns import created_at_field, id_field
from services.common.database import metadata  # noqa: F401  (naming convention first)

SCHEMA = "plans"
SIDES = ("left", "right", "both", "each")


class Exercise(SQLModel, table=True):
    """An exercise of the library, with the dosage a therapist starts from."""

    __tablename__ = "exercise"
    __table_args__ = (
        CheckConstraint("default_side IN ('left', 'right', 'both', 'each')", name="default_side"),
        CheckConstraint("default_sets IS NULL OR default_sets BETWEEN 1 AND 20", name="sets_range"),
        CheckConstraint(
            "default_reps IS NULL OR default_reps BETWEEN 1 AND 200", name="reps_range"
        ),
        CheckConstraint(
            "default_hold_seconds IS NULL OR default_hold_seconds BETWEEN 1 AND 600",
            name="hold_range",
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = id_field()
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    purpose: str = Field(max_length=1000)
    instructions: str = Field(max_length=4000)
    body_region: str = Field(max_length=40)
    equipment: str | None = Field(default=None, max_length=200)
    default_sets: int | None = None
    default_reps: int | None = None
    default_hold_seconds: int | None = None
    default_times_per_day: int | None = None
    default_days_per_week: int | None = None
    default_side: str = Field(default="both", max_length=5)
    dosage_note: str | None = Field(default=None, max_length=500)
    precautions: str | None = Field(default=None, max_length=2000)
    tags: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(40)), nullable=False, server_default="{}"),
    )
    created_at: datetime = created_at_field()
