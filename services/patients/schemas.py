"""Request and response bodies of the patients service."""

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.common.auth import Role

Sex = Literal["female", "male", "other", "unknown"]
Laterality = Literal["left", "right", "bilateral", "unspecified"]
# Printable text only: control characters (NUL among them) have no place in a name.
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
LocationSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,40}$")]

# ICD-10-CM: a letter, two characters, then optionally a dot and one to four more.
_ICD10CM = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")
# Lesion of plantar nerve (Morton's neuroma): the fifth character carries the side.
_PLANTAR_NERVE_SIDES = {"0": "unspecified", "1": "right", "2": "left", "3": "bilateral"}


def _e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[str, StringConstraints(max_length=40), AfterValidator(_e164)]


class Strict(BaseModel):
    """Unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _icd10cm(code: str) -> str:
    if not _ICD10CM.match(code):
        raise ValueError(f"{code!r} is not an ICD-10-CM code (for example G57.62)")
    if code.startswith("G57.6") and (len(code) != 6 or code[5] not in _PLANTAR_NERVE_SIDES):
        raise ValueError(f"{code!r}: G57.6 needs its side: G57.60, G57.61, G57.62 or G57.63")
    return code


def laterality_of(code: str) -> Laterality | None:
    return _PLANTAR_NERVE_SIDES[code[5]] if code.startswith("G57.6") else None  # type: ignore[return-value]


def _not_future_nor_ancient(value: date) -> date:
    if value > date.today():
        raise ValueError("the date of birth is in the future")
    if value.year < 1900:
        raise ValueError("the date of birth is before 1900")
    return value


class DiagnosisIn(Strict):
    code: Annotated[
        str,
        StringConstraints(strip_whitespace=True, to_upper=True, max_length=10),
        AfterValidator(_icd10cm),
    ]
    description: Annotated[str, StringConstraints(max_length=200)] | None = None


class Diagnosis(BaseModel):
    code: str
    laterality: Laterality | None = None
    description: str | None = None


class PatientCreate(Strict):
    given_name: Name
    family_name: Name
    preferred_name: Name | None = None
    birth_date: Annotated[date, AfterValidator(_not_future_nor_ancient)]
    sex: Sex
    home_location: LocationSlug
    phone: Phone | None = None
    email: EmailStr | None = None
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=20)


class PatientRead(BaseModel):
    id: uuid.UUID
    given_name: str
    family_name: str
    preferred_name: str | None
    birth_date: date
    sex: Sex
    home_location: str
    phone: str | None
    email: str | None
    diagnoses: list[Diagnosis]
    status: Literal["active", "archived"]
    version: int
    created_at: datetime
    updated_at: datetime


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (a scheme name, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires.")


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    patient_id: uuid.UUID | None
