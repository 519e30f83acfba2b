"""Request and response bodies of plans of care.

Inputs validate (bounds, codes, dates written YYYY-MM-DD, a certification of at most 90
days); the reads serialise what is stored and validate nothing, so a rule tightened tomorrow
never turns yesterday's plan into an error. The front desk reads `PlanSchedulingRead`, which
holds no clinical field at all; `view` tells the two reads apart.
"""

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    MISSING,
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services.common.schemas import IsoDate, Strict
from services.plans.content import (
    Diagnosis,
    Dosage,
    EducationItem,
    Goal,
    GoalStatus,
    GoalTerm,
    Part,
    RedFlagCriteria,
)
from services.plans.models import CERTIFICATION_DAYS

# As the tables' CHECK constraints have them (models.PLAN_STATUSES, REVISION_KINDS).
PlanStatus = Literal["draft", "active", "on_hold", "completed", "discontinued"]
RevisionKind = Literal["signed", "revised", "recertified", "status"]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,80}$")]
LocationSlug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9-]{1,40}$"),
    Field(description="A clinic's slug (scheduling's /v1/locations).", examples=["gaithersburg"]),
]
EquipmentTag = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9-]{1,40}$"), Field(examples=["resistance-band"])
]


def _text(low: int, high: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=low, max_length=high)


PatientNote = Annotated[str, _text(1, 2000)]
StaffNote = Annotated[str, _text(1, 4000)]
Reason = Annotated[str, _text(3, 1000)]
# Counts are strict: a JSON `true` is not 1.
FrequencyPerWeek = Annotated[
    int, Field(ge=1, le=7, strict=True, description="Visits a week, 1 to 7.")
]
DurationWeeks = Annotated[
    int, Field(ge=1, le=52, strict=True, description="Weeks of care, 1 to 52.")
]

# ICD-10-CM: a letter, two characters, then optionally a dot and one to four more.
_ICD10CM = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")


def _icd10cm(code: str) -> str:
    if not _ICD10CM.match(code):
        raise ValueError(f"{code!r} is not an ICD-10-CM code (for example G57.62)")
    if code.startswith("G57.6") and (len(code) != 6 or code[5] not in "0123"):
        raise ValueError(f"{code!r}: G57.6 needs its side: G57.60, G57.61, G57.62 or G57.63")
    return code


def check_certification_end(start: date, end: date) -> None:
    """A certification period ends on or after its start, at most 90 days later."""
    if end < start:
        raise ValueError("the certification cannot end before it starts")
    if end > start + timedelta(days=CERTIFICATION_DAYS):
        raise ValueError(f"a certification period is at most {CERTIFICATION_DAYS} days")


class DiagnosisIn(Strict):
    code: Annotated[
        str,
        StringConstraints(strip_whitespace=True, to_upper=True, max_length=10),
        AfterValidator(_icd10cm),
        Field(description="ICD-10-CM, with the side where the code has one.", examples=["G57.62"]),
    ]
    display: Annotated[str, StringConstraints(max_length=200)] | None = None


class GoalIn(Strict):
    id: uuid.UUID | None = Field(
        None, description="A goal's id from an earlier read keeps it; a new goal gets one."
    )
    text: Annotated[str, _text(1, 500)]
    term: GoalTerm
    target_date: IsoDate | None = None
    status: GoalStatus = "not_started"


AMOUNT_FIELDS = (
    "sets",
    "sets_max",
    "reps",
    "reps_max",
    "hold_seconds",
    "hold_seconds_max",
    "times_per_day",
    "days_per_week",
)


class ExerciseIn(Dosage):
    """One exercise of the program. Give no amount (sets, reps, hold, times, days) and it
    keeps the dosage it had, else the protocol's, else the library's; give any and the amount
    is exactly what you give. The side likewise. Without `part` it goes in the home part when
    the patient has its equipment at home (`home_equipment`) and it can be done at home, else
    in the clinic part."""

    slug: Slug
    part: Part | None = None
    patient_note: PatientNote | None = None
    staff_note: StaffNote | None = None

    @field_validator("sets_max", "reps_max", "hold_seconds_max")
    @classmethod
    def _range_upward(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get(str(info.field_name).removesuffix("_max"))
        if value is not None and low is None:
            raise ValueError(f"give {str(info.field_name).removesuffix('_max')} with it")
        if value is not None and low is not None and value < low:
            raise ValueError("the top of a range is below its bottom")
        return value

    def amount_given(self) -> bool:
        return bool(self.model_fields_set & set(AMOUNT_FIELDS))


def _unique_goals(goals: list[GoalIn]) -> list[GoalIn]:
    ids = [g.id for g in goals if g.id is not None]
    if len(ids) != len(set(ids)):
        raise ValueError("two goals have the same id")
    return goals


def _unique_exercises(exercises: list[ExerciseIn]) -> list[ExerciseIn]:
    slugs = [e.slug for e in exercises]
    if len(slugs) != len(set(slugs)):
        raise ValueError("an exercise is in the program twice")
    return exercises


Goals = Annotated[list[GoalIn], Field(max_length=20), AfterValidator(_unique_goals)]
Exercises = Annotated[list[ExerciseIn], Field(max_length=30), AfterValidator(_unique_exercises)]
Diagnoses = Annotated[list[DiagnosisIn], Field(max_length=10)]
HomeEquipment = Annotated[
    list[EquipmentTag],
    Field(max_length=20, description="Equipment tags the patient has at home (`wall`, ...)."),
]


class AuthorizationIn(Strict):
    """The insurer's authorization: how many visits, valid between which dates."""

    visits: Annotated[int, Field(ge=1, le=500, strict=True)]
    valid_from: IsoDate | None = None
    valid_until: IsoDate | None = None

    @field_validator("valid_until")
    @classmethod
    def _after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            raise ValueError("the authorization cannot end before it starts")
        return value


class PlanCreate(Strict):
    """A new plan, a draft until activated. From a protocol, the exercises, goals, education
    and red-flag criteria come from it unless given; diagnoses never do (give the code with
    its side). The therapist is the caller; an admin names one in `therapist_id`."""

    patient_id: uuid.UUID
    therapist_id: uuid.UUID | None = Field(None, description="Admins only: the plan's therapist.")
    protocol: Slug | None = Field(None, examples=["mortons-neuroma"])
    location: LocationSlug
    frequency_per_week: FrequencyPerWeek
    duration_weeks: DurationWeeks
    start_date: IsoDate
    certification_end: IsoDate | None = Field(
        None, description="At most 90 days after start_date; default start + duration."
    )
    diagnoses: Diagnoses = []
    goals: Goals | None = None
    exercises: Exercises | None = None
    home_equipment: HomeEquipment = []
    authorization: AuthorizationIn | None = None
    patient_note: PatientNote | None = None
    staff_note: StaffNote | None = None

    @field_validator("certification_end")
    @classmethod
    def _within_ninety_days(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None:
            check_certification_end(start, value)
        return value


class PlanUpdate(Strict):
    """A partial change: the fields sent replace the stored ones (`goals` and `exercises`
    whole lists). `null` clears the authorization or a note."""

    goals: Goals | MISSING = MISSING
    exercises: Exercises | MISSING = MISSING
    diagnoses: Diagnoses | MISSING = MISSING
    frequency_per_week: FrequencyPerWeek | MISSING = MISSING
    duration_weeks: DurationWeeks | MISSING = MISSING
    certification_end: IsoDate | MISSING = MISSING
    authorization: AuthorizationIn | None = None
    home_equipment: HomeEquipment | MISSING = MISSING
    patient_note: PatientNote | None = None
    staff_note: StaffNote | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> "PlanUpdate":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class StatusNote(Strict):
    reason: Reason | None = None


class DiscontinueRequest(Strict):
    reason: Reason


class RecertifyRequest(Strict):
    certification_start: IsoDate | None = Field(
        None, description="Default: the day after the current period ends."
    )
    certification_end: IsoDate | None = Field(
        None, description="At most 90 days after the start; default start + duration."
    )


# -- reads: as stored ---------------------------------------------------------------------------


class ProgramItemRead(BaseModel):
    exercise_id: uuid.UUID
    slug: str
    name: str
    purpose: str
    instructions: str
    cues: list[str] = []
    precautions: str | None = None
    equipment: list[str] = []
    part: str
    sets: int | None = None
    sets_max: int | None = None
    reps: int | None = None
    reps_max: int | None = None
    hold_seconds: int | None = None
    hold_seconds_max: int | None = None
    times_per_day: int | None = None
    days_per_week: int | None = None
    side: str = "both"
    dosage_in_words: str
    patient_note: str | None = None
    staff_note: str | None = None


class AuthorizationRead(BaseModel):
    visits: int | None
    valid_from: date | None
    valid_until: date | None
    visits_left: int | None = Field(
        description="Visits allowed less the plan's completed visits in the valid dates."
    )


class PlanSchedulingRead(BaseModel):
    """What the front desk needs to book a plan's visits: nothing clinical."""

    view: Literal["scheduling"] = "scheduling"
    id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    therapist_name: str
    location: str
    status: PlanStatus
    frequency_per_week: int
    duration_weeks: int
    planned_visits: int
    completed_visits: int
    visits_since_progress_report: int
    certification_start: date
    certification_end: date
    authorization: AuthorizationRead | None
    version: int


class PlanRead(BaseModel):
    """The whole plan, as therapists and admins read it (and as a revision keeps it)."""

    view: Literal["clinical"] = "clinical"
    id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    therapist_name: str
    location: str
    time_zone: str
    protocol: str | None = Field(description="The protocol's slug, when made from one.")
    status: PlanStatus
    status_reason: str | None
    version: int
    revision: int = Field(description="The number of the current signed revision; 0: a draft.")
    start_date: date
    frequency_per_week: int
    duration_weeks: int
    planned_visits: int
    completed_visits: int
    visits_since_progress_report: int
    progress_reports: int
    last_progress_report_at: datetime | None
    certification_start: date
    certification_end: date
    authorization: AuthorizationRead | None
    diagnoses: list[Diagnosis]
    goals: list[Goal]
    exercises: list[ProgramItemRead]
    education: list[EducationItem]
    red_flag_criteria: RedFlagCriteria
    home_equipment: list[str]
    patient_note: str | None
    staff_note: str | None
    signed_by: uuid.UUID | None
    signed_at: datetime | None
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class RevisionSummary(BaseModel):
    number: int
    kind: RevisionKind
    changed_fields: list[str]
    summary: str | None
    plan_version: int
    changed_by: uuid.UUID
    changed_at: datetime


class RevisionRead(RevisionSummary):
    content: dict[str, Any] = Field(
        description="The whole plan as it stood after this change, as `PlanRead` then was."
    )
