"""The shapes of what a plan of care holds in its JSONB columns, and of a dosage.

These are the stored forms (see `models.py`): written through the input schemas, which
validate, and read back without validation (`model_construct`), so a rule tightened tomorrow
never turns yesterday's plan into an error. `dosage_in_words` is how a patient reads a dosage.
"""

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from services.common.schemas import Strict

Side = Literal["left", "right", "both", "each"]
Part = Literal["home", "clinic"]
GoalTerm = Literal["short", "long"]
GoalStatus = Literal["not_started", "in_progress", "met", "not_met", "discontinued"]

# Strict: a JSON `true` is not a count (pydantic alone would take it as 1).
Sets = Annotated[int, Field(ge=1, le=10, strict=True)]
Reps = Annotated[int, Field(ge=1, le=100, strict=True)]
HoldSeconds = Annotated[int, Field(ge=0, le=600, strict=True)]
TimesPerDay = Annotated[int, Field(ge=1, le=6, strict=True)]
DaysPerWeek = Annotated[int, Field(ge=1, le=7, strict=True)]


class Dosage(Strict):
    """How much of an exercise: the per-patient bounds of the clinic (sets 1-10, reps 1-100,
    hold 0-600 s, 1-6 times a day, 1-7 days a week). A `*_max` makes a range (10-15 reps)."""

    sets: Sets | None = None
    sets_max: Sets | None = None
    reps: Reps | None = None
    reps_max: Reps | None = None
    hold_seconds: HoldSeconds | None = None
    hold_seconds_max: HoldSeconds | None = None
    times_per_day: TimesPerDay | None = None
    days_per_week: DaysPerWeek | None = None
    side: Side = "both"

    @field_validator("sets_max", "reps_max", "hold_seconds_max")
    @classmethod
    def _high_end_of_a_range(cls, high: int | None, info: ValidationInfo) -> int | None:
        """A range's high end comes with its low end and is not below it (10-15, not 15-10).
        A low end that failed its own bounds is absent from `info.data`: reported once."""
        low_name = (info.field_name or "").removesuffix("_max")
        if high is None or low_name not in info.data:
            return high
        low = info.data[low_name]
        if low is None:
            raise ValueError(f"a range's high end needs its low end: send {low_name} too")
        if high < low:
            raise ValueError(f"the high end of the range is below {low_name} ({low})")
        return high


class StoredDosageRead(BaseModel):
    """A dosage's numbers read back as stored: plain numbers, never today's bounds, so an
    older row still reads. The library's and the patient's answers build on it."""

    sets: int | None = None
    sets_max: int | None = None
    reps: int | None = None
    reps_max: int | None = None
    hold_seconds: int | None = None
    hold_seconds_max: int | None = None
    times_per_day: int | None = None
    days_per_week: int | None = None
    side: str = "both"


class Diagnosis(BaseModel):
    code: str  # ICD-10-CM, e.g. G57.62
    display: str | None = None


class Goal(BaseModel):
    id: uuid.UUID
    text: str
    term: GoalTerm
    target_date: date | None = None
    status: GoalStatus = "not_started"


class GoalTemplate(BaseModel):
    text: str
    term: GoalTerm
    weeks: int | None = None  # target date = plan start + weeks


class EducationItem(BaseModel):
    slug: str
    title: str
    text: str


class RedFlagCriteria(BaseModel):
    """When a home log should make the therapist look again, and what to consider then."""

    pain_at_least: int | None = None  # a log with pain >= this
    pain_rising_logs: int | None = None  # pain strictly rising over the last N logs
    new_numbness: bool = False  # numbness reported where the previous log had none
    medical_options: list[str] = []  # e.g. corticosteroid injection, neurectomy
    advice: str | None = None  # what the patient is told to do


class ProtocolExercise(BaseModel):
    exercise_id: uuid.UUID
    slug: str
    part: Part | None = None  # None: home when the patient can, else clinic
    dosage: Dosage


class ProgramItem(BaseModel):
    """One exercise of a plan's program, with the library's words copied in when added."""

    exercise_id: uuid.UUID
    slug: str
    name: str
    purpose: str
    instructions: str
    cues: list[str] = []
    precautions: str | None = None
    equipment: list[str] = []
    part: Part
    dosage: Dosage
    patient_note: str | None = None
    staff_note: str | None = None


class ExerciseDone(BaseModel):
    slug: str
    sets: int | None = None
    reps: int | None = None


# -- dosage in words ---------------------------------------------------------------------------

_SIDE_WORDS = {"left": "left foot", "right": "right foot", "each": "each foot", "both": None}
_TIMES_A_DAY = {1: "once a day", 2: "twice a day"}


def _span(low: int | None, high: int | None) -> str | None:
    if low is None:
        return None
    return f"{low}-{high}" if high is not None and high != low else str(low)


def dosage_in_words(dosage: Dosage, *, side_noun: str = "foot") -> str:
    """'2 sets of 10, hold 5 s, each foot, once a day, 5 days a week'."""
    words: list[str] = []
    sets, reps = _span(dosage.sets, dosage.sets_max), _span(dosage.reps, dosage.reps_max)
    if sets and reps:
        words.append(f"{sets} {'set' if sets == '1' else 'sets'} of {reps}")
    elif reps:
        words.append(f"{reps} {'time' if reps == '1' else 'times'}")
    elif sets:
        words.append(f"{sets} {'set' if sets == '1' else 'sets'}")
    hold = _span(dosage.hold_seconds, dosage.hold_seconds_max)
    if hold and hold != "0":
        words.append(f"hold {hold} s")
    side = _SIDE_WORDS.get(dosage.side)  # a side from older rules: left unsaid
    if side:
        words.append(side.replace("foot", side_noun))
    if dosage.times_per_day:
        words.append(_TIMES_A_DAY.get(dosage.times_per_day, f"{dosage.times_per_day} times a day"))
    if dosage.days_per_week:
        days = dosage.days_per_week
        words.append(
            "every day" if days == 7 else f"{days} {'day' if days == 1 else 'days'} a week"
        )
    return ", ".join(words) if words else "as your therapist shows you"
