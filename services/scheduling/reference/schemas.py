"""Bodies of the reference data: the clinics and the kinds of visit."""

import uuid
from typing import Annotated

from pydantic import MISSING, BaseModel, Field, StringConstraints, model_validator

from services.common.schemas import Strict

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=40)]
# A CPT code (five digits, or four and F, T or U) or a HCPCS Level II code (a letter, four
# digits), as physical therapy bills both.
ProcedureCode = Annotated[
    str,
    StringConstraints(pattern=r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$"),
    Field(examples=["97110"]),
]
VisitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
VisitMinutes = Annotated[
    int,
    Field(ge=10, le=240, multiple_of=5, description="Length in minutes: 10 to 240, by 5."),
]
AlternativeCodes = Annotated[
    list[ProcedureCode],
    Field(
        max_length=10,
        description="Other codes the same visit may be billed under (an evaluation: 97161 or "
        "97163 by its complexity); never the usual code itself, no code twice.",
    ),
]


class OpeningHours(BaseModel):
    """One day's opening hours at a clinic, in the clinic's own time zone. A day the clinic
    is closed has no entry. (A read model: the bounds are documented, not checked on the way
    out, so stored rows are answered as they are.)"""

    weekday: int = Field(
        description="The day of the week: 0 is Monday, 6 is Sunday (as Python's "
        "date.weekday(); ISO 8601's day number minus one).",
        json_schema_extra={"minimum": 0, "maximum": 6},
    )
    opens: str = Field(
        description="Local opening time, HH:MM on a 24-hour clock.",
        json_schema_extra={"pattern": "^[0-2][0-9]:[0-5][0-9]$", "examples": ["07:00"]},
    )
    closes: str = Field(
        description="Local closing time, HH:MM on a 24-hour clock.",
        json_schema_extra={"pattern": "^[0-2][0-9]:[0-5][0-9]$", "examples": ["19:00"]},
    )


class LocationRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    street: str
    city: str
    state: str
    postal_code: str
    phone: str | None
    time_zone: str
    opening_hours: list[OpeningHours]
    rooms: list[str]


class AppointmentTypeRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    duration_minutes: int
    procedure_code: str = Field(description="The code the visit is usually billed under.")
    alternative_codes: list[str] = Field(
        description="Other codes the same visit may be billed under."
    )
    version: int = Field(description="Sent as the ETag; send it back in If-Match to change it.")


class AppointmentTypeCreate(Strict):
    slug: Slug
    name: VisitName
    duration_minutes: VisitMinutes
    procedure_code: ProcedureCode
    alternative_codes: AlternativeCodes = []


class AppointmentTypeUpdate(Strict):
    """The fields sent replace the stored ones; the slug never changes. A new length applies
    to visits booked from now on."""

    name: VisitName | MISSING = MISSING
    duration_minutes: VisitMinutes | MISSING = MISSING
    procedure_code: ProcedureCode | MISSING = MISSING
    alternative_codes: AlternativeCodes | MISSING = MISSING

    @model_validator(mode="after")
    def _something_to_change(self) -> "AppointmentTypeUpdate":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self
