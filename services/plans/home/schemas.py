"""Request and response bodies of home sessions, red flags and adherence."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import MISSING, BaseModel, Field, StringConstraints, model_validator

from services.common.schemas import IsoDate, Strict

ExerciseSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,80}$")]
# strict: pain 3.5, "3" or true is not a pain score (pydantic would coerce the last two)
Pain = Annotated[int, Field(ge=0, le=10, strict=True, description="0 (none) to 10 (worst).")]
SetsDone = Annotated[int, Field(ge=1, le=10, strict=True)]
RepsDone = Annotated[int, Field(ge=1, le=100, strict=True)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Numbness = Annotated[bool, Field(strict=True, description="Numbness or tingling that day.")]
RedFlagReason = Literal["pain_high", "pain_rising", "new_numbness"]
PainTrend = Literal["improving", "steady", "worsening"]


class ExerciseDoneIn(Strict):
    """An exercise of the plan done that day, with the sets and reps done if counted."""

    slug: ExerciseSlug
    sets: SetsDone | None = None
    reps: RepsDone | None = None


ExercisesDone = Annotated[
    list[ExerciseDoneIn | ExerciseSlug],
    Field(
        min_length=1,
        max_length=30,
        description="The plan's exercises done that day: {slug, sets, reps}, or just slugs.",
    ),
]


class HomeSessionCreate(Strict):
    performed_on: IsoDate = Field(
        description="The day the exercises were done, in the clinic's time zone: not in the "
        "future, not before the plan started."
    )
    exercises: ExercisesDone
    pain: Pain
    numbness: Numbness = False
    note: Note | None = None


class HomeSessionUpdate(Strict):
    """A correction of the same day's log: the fields sent replace the stored ones."""

    exercises: ExercisesDone | MISSING = MISSING
    pain: Pain | MISSING = MISSING
    numbness: Numbness | MISSING = MISSING
    note: Note | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> "HomeSessionUpdate":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class RedFlagAcknowledge(Strict):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


# -- reads: as stored, never validated ----------------------------------------------------


class ExerciseDoneRead(BaseModel):
    slug: str
    sets: int | None = None
    reps: int | None = None


class HomeSessionRead(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    performed_on: date
    exercises: list[ExerciseDoneRead]
    pain: int
    numbness: bool
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    red_flags: list[str] = Field(
        description="What this log tripped of the plan's red-flag criteria (pain_high, "
        "pain_rising, new_numbness)."
    )
    advice: str | None = Field(
        description="With red flags: what the patient should do now (call the clinic)."
    )


class RedFlagRead(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    session_id: uuid.UUID
    session_url: str
    reason: str
    detail: str
    raised_at: datetime
    acknowledged_by: uuid.UUID | None
    acknowledged_at: datetime | None
    acknowledgement_note: str | None
    medical_options: list[str] = Field(
        description="What the plan's criteria say to consider: injection, neurectomy, ..."
    )


class AdherenceWeek(BaseModel):
    week: int = Field(description="Plan week: week 1 starts on the plan's start date.")
    starts_on: date
    ends_on: date
    days: int = Field(description="Days of this week inside the range asked for (1-7).")
    target: int = Field(description="Sessions asked for in those days.")
    sessions: int
    percent: float | None = Field(description="Sessions (at most the target) of the target.")


class AdherenceTotal(BaseModel):
    sessions: int
    target: int
    percent: float | None


class PainPoint(BaseModel):
    date: date
    pain: int


class PainSeries(BaseModel):
    series: list[PainPoint]
    slope_per_week: float | None = Field(
        description="Least-squares change of pain per week; null with fewer than two logs."
    )
    trend: PainTrend | None


class AdherenceRead(BaseModel):
    plan_id: uuid.UUID
    from_date: date = Field(serialization_alias="from")
    to_date: date = Field(serialization_alias="to")
    target_days_per_week: int | None = Field(
        description="The most days a week any home exercise asks for; null without a home part."
    )
    weeks: list[AdherenceWeek]
    overall: AdherenceTotal
    pain: PainSeries
