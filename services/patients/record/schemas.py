"""Request and response bodies of the patient record."""

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import phonenumbers
from pydantic import (
    MISSING,
    AfterValidator,
    BaseModel,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from services.common.schemas import IsoDate, Strict
from services.patients.names import Name, ShortText

Sex = Literal["female", "male", "other", "unknown"]
Laterality = Literal["left", "right", "bilateral", "unspecified"]
LocationSlug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9-]{1,40}$"),
    Field(description="A clinic's slug (scheduling's /v1/locations).", examples=["gaithersburg"]),
]

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


Phone = Annotated[
    str,
    StringConstraints(max_length=40),
    AfterValidator(_e164),
    Field(description="A US number in any common format, or +country.", examples=["301-555-0123"]),
]


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


BirthDate = Annotated[
    IsoDate, AfterValidator(_not_future_nor_ancient), Field(examples=["1979-05-17"])
]


class DiagnosisIn(Strict):
    code: Annotated[
        str,
        StringConstraints(strip_whitespace=True, to_upper=True, max_length=10),
        AfterValidator(_icd10cm),
    ]
    description: Annotated[str, StringConstraints(max_length=200)] | None = None


State = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class Address(Strict):
    line1: ShortText
    line2: ShortText | None = None
    city: ShortText
    state: State
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}(-\d{4})?$")]


class EmergencyContact(Strict):
    name: ShortText
    relationship: ShortText | None = None
    phone: Phone


class Insurance(Strict):
    payer: ShortText
    member_id: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$"
        ),
    ]
    group_number: (
        Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9-]*$")] | None
    ) = None


class ReferringPhysician(Strict):
    name: ShortText
    npi: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] | None = None
    phone: Phone | None = None


class PatientCreate(Strict):
    given_name: Name
    family_name: Name
    preferred_name: Name | None = None
    birth_date: BirthDate
    sex: Sex
    home_location: LocationSlug
    phone: Phone | None = None
    email: EmailStr | None = None
    address: Address | None = None
    emergency_contact: EmergencyContact | None = None
    insurance: Insurance | None = None
    referring_physician: ReferringPhysician | None = None
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=20)


CONTACT_FIELDS = frozenset({"phone", "email", "address", "emergency_contact"})


class PatientUpdate(Strict):
    """A partial update: fields sent replace the stored ones. `null` clears an optional
    field; the fields a record must have take no null (send `[]` for no diagnoses)."""

    given_name: Name | MISSING = MISSING
    family_name: Name | MISSING = MISSING
    preferred_name: Name | None = None
    birth_date: BirthDate | MISSING = MISSING
    sex: Sex | MISSING = MISSING
    home_location: LocationSlug | MISSING = MISSING
    phone: Phone | None = None
    email: EmailStr | None = None
    address: Address | None = None
    emergency_contact: EmergencyContact | None = None
    insurance: Insurance | None = None
    referring_physician: ReferringPhysician | None = None
    diagnoses: list[DiagnosisIn] | MISSING = Field(MISSING, max_length=20)

    @model_validator(mode="after")
    def _something_to_change(self) -> "PatientUpdate":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class ArchiveRequest(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


# -- reads: the record as stored ---------------------------------------------------------
# No validators and no patterns here: a rule tightened after a row was written (a phone
# format, a forbidden character, a retired code) must not turn that row into a 500.


class AddressRead(BaseModel):
    line1: str
    line2: str | None = None
    city: str
    state: str
    postal_code: str


class EmergencyContactRead(BaseModel):
    name: str
    relationship: str | None = None
    phone: str


class InsuranceRead(BaseModel):
    payer: str
    member_id: str
    group_number: str | None = None


class ReferringPhysicianRead(BaseModel):
    name: str
    npi: str | None = None
    phone: str | None = None


class DiagnosisRead(BaseModel):
    code: str
    laterality: str | None = Field(
        default=None, description="left, right, bilateral or unspecified, from the code."
    )
    description: str | None = None


MAX_LOOKUP = 200


def _each_once(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(set(ids)) != len(ids):
        raise ValueError("each id may be asked for once")
    return ids


class PatientLookup(Strict):
    """Which patients a service needs the names of."""

    ids: Annotated[
        list[uuid.UUID],
        Field(min_length=1, max_length=MAX_LOOKUP, description="1 to 200 patient ids, each once."),
        AfterValidator(_each_once),
    ]


class PatientNameRead(BaseModel):
    """How another service shows a patient: the name staff call them by, and initials."""

    id: uuid.UUID
    display_name: str = Field(description="The preferred (else given) name and the family name.")
    initials: str = Field(description="The display name's initials, such as `L.M.`.")
    status: Literal["active", "archived"]


class PatientNamesRead(BaseModel):
    items: list[PatientNameRead] = Field(
        description="The patients found, by id; an id of no patient is simply absent."
    )


class PatientStatusRead(BaseModel):
    """What another service learns of a patient before it writes for them."""

    id: uuid.UUID
    status: Literal["active", "archived"]


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
    address: AddressRead | None
    emergency_contact: EmergencyContactRead | None
    insurance: InsuranceRead | None
    referring_physician: ReferringPhysicianRead | None
    diagnoses: list[DiagnosisRead]
    status: Literal["active", "archived"]
    archived_at: datetime | None
    archive_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
