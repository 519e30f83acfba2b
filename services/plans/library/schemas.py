"""Request and response bodies of the exercise library and the condition protocols.

Inputs validate (every body Strict: an unknown field is a 422); reads carry what is stored,
without rules, so a rule tightened tomorrow never turns yesterday's row into a 500. Dosage
bounds and ranges are `content.Dosage`'s, shared with plans of care."""

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import MISSING, AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.schemas import Strict
from services.plans.content import (
    Dosage,
    EducationItem,
    GoalTemplate,
    GoalTerm,
    Part,
    RedFlagCriteria,
    StoredDosageRead,
)

Setting = Literal["home", "clinic", "both"]

# Refused in text a patient reads: controls other than line breaks and tabs, format
# characters (the bidi overrides that make one instruction show as another, zero-width
# marks), private use, lone surrogates (which the database cannot store), line separators.
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def _readable(text: str) -> str:
    composed = unicodedata.normalize("NFC", text)
    for char in composed:
        if char not in "\n\t" and unicodedata.category(char) in _HIDDEN:
            raise ValueError(f"holds U+{ord(char):04X}, a control or invisible character")
    return composed


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Readable = AfterValidator(_readable)
Title = Annotated[str, _text(120), Readable]
Line = Annotated[str, _text(300), Readable]
Paragraph = Annotated[str, _text(2000), Readable]
LongText = Annotated[str, _text(4000), Readable]

_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[
    str,
    StringConstraints(max_length=80, pattern=_SLUG),
    Field(description="Lower-case words joined by hyphens.", examples=["toe-spreads"]),
]
Tag = Annotated[
    str, StringConstraints(max_length=40, pattern=_SLUG), Field(examples=["cable-machine"])
]


def _once_each(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(_once_each)]
Cues = Annotated[list[Line], Field(max_length=20)]

# ICD-10-CM: a letter, two characters, then optionally a dot and one to four more.
Icd10Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        max_length=8,
        pattern=r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$",
    ),
    Field(examples=["G57.62"]),
]
Icd10Codes = Annotated[
    list[Icd10Code], Field(min_length=1, max_length=20), AfterValidator(_once_each)
]


def _something_to_change(model: BaseModel) -> None:
    if not model.model_fields_set:
        raise ValueError("send at least one field to change")


# -- exercises --------------------------------------------------------------------------------


class ExerciseDosage(Dosage):
    """The dosage a therapist starts from, and a word on it for the clinic ("your therapist
    sets the weight")."""

    note: Annotated[str, _text(500), Readable] | None = None


class ExerciseCreate(Strict):
    slug: Slug
    name: Title
    purpose: Annotated[str, _text(1000), Readable]
    instructions: LongText
    body_region: Tag
    setting: Setting = Field("both", description="Where it can be done.")
    equipment: Tags = Field(default_factory=list, description="What it needs, as tags.")
    setup: Annotated[str, _text(200), Readable] | None = Field(
        None, description="The equipment in words."
    )
    cues: Cues = Field(default_factory=list, description="Short reminders while doing it.")
    default_dosage: ExerciseDosage = Field(default_factory=ExerciseDosage)
    precautions: Paragraph | None = None
    tags: Tags = Field(default_factory=list)


class ExerciseUpdate(Strict):
    """A partial change: the fields sent replace the stored ones (lists and the dosage
    whole). `null` clears setup and precautions; the slug never changes."""

    name: Title | MISSING = MISSING
    purpose: Annotated[str, _text(1000), Readable] | MISSING = MISSING
    instructions: LongText | MISSING = MISSING
    body_region: Tag | MISSING = MISSING
    setting: Setting | MISSING = MISSING
    equipment: Tags | MISSING = MISSING
    setup: Annotated[str, _text(200), Readable] | None = None
    cues: Cues | MISSING = MISSING
    default_dosage: ExerciseDosage | MISSING = MISSING
    precautions: Paragraph | None = None
    tags: Tags | MISSING = MISSING

    @model_validator(mode="after")
    def _changes_something(self) -> "ExerciseUpdate":
        _something_to_change(self)
        return self


class DosageRead(StoredDosageRead):
    """A dosage as stored; a protocol's seeded dosage holds only the fields it gives."""

    note: str | None = None


class ExerciseRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    purpose: str
    instructions: str
    body_region: str
    setting: str
    equipment: list[str]
    setup: str | None
    cues: list[str]
    default_dosage: DosageRead
    precautions: str | None
    tags: list[str]
    retired_at: datetime | None
    version: int


# -- protocols --------------------------------------------------------------------------------


class ProtocolExerciseIn(Strict):
    slug: Slug = Field(description="A live exercise of the library.")
    part: Part | None = Field(
        None, description="Home or clinic; none: home when the patient has the equipment."
    )
    dosage: Dosage = Field(default_factory=Dosage)


class EducationItemIn(Strict):
    slug: Slug
    title: Title
    text: Paragraph


class RedFlagCriteriaIn(Strict):
    pain_at_least: int | None = Field(None, ge=1, le=10, description="A log with pain >= this.")
    pain_rising_logs: int | None = Field(
        None, ge=2, le=10, description="Pain rising over this many logs in a row."
    )
    new_numbness: bool = Field(False, description="Numbness where the log before had none.")
    medical_options: Annotated[list[Line], Field(max_length=10)] = Field(default_factory=list)
    advice: Paragraph | None = Field(None, description="What the patient is told to do.")


class GoalTemplateIn(Strict):
    text: Line
    term: GoalTerm
    weeks: int | None = Field(None, ge=1, le=52, description="Target: the plan's start + weeks.")


ProtocolExercises = Annotated[list[ProtocolExerciseIn], Field(max_length=30)]
EducationItems = Annotated[list[EducationItemIn], Field(max_length=20)]
GoalTemplates = Annotated[list[GoalTemplateIn], Field(max_length=20)]
FrequencyPerWeek = Annotated[int, Field(ge=1, le=7)]
DurationWeeks = Annotated[int, Field(ge=1, le=52)]


class ProtocolCreate(Strict):
    slug: Slug
    name: Title
    condition: Annotated[str, _text(200), Readable]
    description: Paragraph | None = None
    icd10_codes: Icd10Codes
    exercises: ProtocolExercises = Field(default_factory=list)
    education: EducationItems = Field(default_factory=list)
    red_flag_criteria: RedFlagCriteriaIn = Field(default_factory=RedFlagCriteriaIn)
    goal_templates: GoalTemplates = Field(default_factory=list)
    default_frequency_per_week: FrequencyPerWeek | None = None
    default_duration_weeks: DurationWeeks | None = None


class ProtocolUpdate(Strict):
    """A partial change: the fields sent replace the stored ones (lists whole). `null`
    clears the description and the default frequency and duration."""

    name: Title | MISSING = MISSING
    condition: Annotated[str, _text(200), Readable] | MISSING = MISSING
    description: Paragraph | None = None
    icd10_codes: Icd10Codes | MISSING = MISSING
    exercises: ProtocolExercises | MISSING = MISSING
    education: EducationItems | MISSING = MISSING
    red_flag_criteria: RedFlagCriteriaIn | MISSING = MISSING
    goal_templates: GoalTemplates | MISSING = MISSING
    default_frequency_per_week: FrequencyPerWeek | None = None
    default_duration_weeks: DurationWeeks | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> "ProtocolUpdate":
        _something_to_change(self)
        return self


class ProtocolExerciseRead(BaseModel):
    slug: str
    name: str
    part: str | None
    dosage: DosageRead
    retired: bool = Field(description="Retired from the library since: left out of new plans.")


class ProtocolRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    condition: str
    description: str | None
    icd10_codes: list[str]
    exercises: list[ProtocolExerciseRead]
    education: list[EducationItem]
    red_flag_criteria: RedFlagCriteria
    goal_templates: list[GoalTemplate]
    default_frequency_per_week: int | None
    default_duration_weeks: int | None
    version: int
