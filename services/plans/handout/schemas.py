"""What a handout shows, settled once and drawn by both renderers (the HTML page and the PDF).

Plain text only: each renderer escapes or places it as its format needs, so nothing here is
markup. Built from the stored plan without validating it (a stored plan is shown as it is).
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

Format = Literal["html", "pdf"]
MEDIA_TYPES: dict[Format, str] = {"html": "text/html", "pdf": "application/pdf"}
# The last reason to call the clinic, on every handout, after the plan's own red flags.
ANY_WORRY = "Anything about these exercises worries you."


@dataclass(frozen=True, slots=True)
class Clinic:
    name: str
    address: str  # one line: street, city, state and postal code
    phone: str | None  # as a patient dials it, e.g. (301) 555-0140


@dataclass(frozen=True, slots=True)
class HandoutExercise:
    name: str
    dosage: str  # in words: "2 sets of 10, hold 5 s, each foot, once a day, 5 days a week"
    instructions: str
    cues: tuple[str, ...]
    precautions: str | None
    note: str | None  # the therapist's note to the patient on this exercise


@dataclass(frozen=True, slots=True)
class EducationPoint:
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class WhenToCall:
    """The plan's red-flag criteria as a patient reads them, with the clinic's own advice."""

    signs: tuple[str, ...]
    advice: str | None


@dataclass(frozen=True, slots=True)
class Handout:
    clinic: Clinic
    patient_name: str | None  # None for an administrator (the patients service refuses them)
    therapist_name: str
    printed_on: date  # in the clinic's time zone
    plan_note: str | None  # the therapist's note to the patient on the whole plan
    home: tuple[HandoutExercise, ...]
    at_the_clinic: tuple[HandoutExercise, ...]
    education: tuple[EducationPoint, ...]
    when_to_call: WhenToCall
