"""What a patient reads of a plan of care: the home program in plain words, what they do in
the clinic, what to read and when to call. No staff note, no goal internals.

Response bodies only, built with `model_construct` from the stored JSONB: they document the
answer and never validate it, so a plan written under older rules still reads. Hence the lax
types (a dosage is numbers, not today's bounds)."""

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel

from services.plans.content import StoredDosageRead


class MyDosageRead(StoredDosageRead):
    """The dosage's numbers as the therapist set them; a `*_max` makes a range."""


class MyExerciseRead(BaseModel):
    """One exercise of the program as the patient does it."""

    slug: str
    name: str
    purpose: str
    instructions: str
    cues: list[str]
    precautions: str | None
    equipment: list[str]
    dosage: MyDosageRead
    dosage_text: str  # "2 sets of 10, hold 5 s, each foot, once a day, 5 days a week"
    patient_note: str | None


class MyEducationRead(BaseModel):
    slug: str
    title: str
    text: str


class MyPlanRead(BaseModel):
    """A patient's own active or on-hold plan: the home part (done alone, in program order),
    the clinic part (done with the therapist), and when to call the clinic."""

    id: uuid.UUID
    status: Literal["active", "on_hold"]
    therapist_name: str
    location: str
    start_date: date
    certification_end: date
    frequency_per_week: int
    duration_weeks: int
    diagnoses: list[str]  # ICD-10-CM codes
    home: list[MyExerciseRead]
    clinic: list[MyExerciseRead]
    patient_note: str | None
    education: list[MyEducationRead]
    when_to_call: str | None  # the red-flag advice: when to call the clinic
