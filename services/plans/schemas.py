"""Request and response bodies of the plans service."""

import uuid
from typing import Literal

from pydantic import BaseModel

Side = Literal["left", "right", "both", "each"]


class Dosage(BaseModel):
    sets: int | None
    reps: int | None
    hold_seconds: int | None
    times_per_day: int | None
    days_per_week: int | None
    side: Side
    note: str | None


class ExerciseRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    purpose: str
    instructions: str
    body_region: str
    equipment: list[str]
    setup: str | None
    setting: str
    default_dosage: Dosage
    precautions: str | None
    tags: list[str]
