# Generated from the patients service's OpenAPI by `make client-code` (ops/client_code.py): do not edit.
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class AccountStatusRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    user_id: Annotated[UUID, Field(title="User Id")]
    active: Annotated[
        bool,
        Field(
            description="False once the account is disabled or its patient archived.",
            title="Active",
        ),
    ]
    role: Annotated[
        Literal["admin", "therapist", "front_desk", "patient", "service"],
        Field(
            description="What the account is: plans checks a plan's therapist by it, scheduling that an id whose hours it stores is a therapist's.",
            title="Role",
        ),
    ]
    display_name: Annotated[
        str,
        Field(description="The name other services show for the account.", title="Display Name"),
    ]


class Address(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    line1: Annotated[str, Field(title="Line1")]
    line2: Annotated[str | None, Field(title="Line2")] = None
    city: Annotated[str, Field(title="City")]
    state: Annotated[str, Field(title="State")]
    postal_code: Annotated[str, Field(title="Postal Code")]


class AddressRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    line1: Annotated[str, Field(title="Line1")]
    line2: Annotated[str | None, Field(title="Line2")] = None
    city: Annotated[str, Field(title="City")]
    state: Annotated[str, Field(title="State")]
    postal_code: Annotated[str, Field(title="Postal Code")]


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    reason: Annotated[str, Field(title="Reason")]


class AuditEventRead(BaseModel):
    """
    One audit row as the trail shows it.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[int, Field(title="Id")]
    occurred_at: Annotated[AwareDatetime, Field(title="Occurred At")]
    actor_user_id: Annotated[UUID | None, Field(title="Actor User Id")]
    actor_role: Annotated[str | None, Field(title="Actor Role")]
    action: Annotated[str, Field(title="Action")]
    outcome: Annotated[str, Field(title="Outcome")]
    patient_id: Annotated[UUID | None, Field(title="Patient Id")]
    entity_type: Annotated[str | None, Field(title="Entity Type")]
    entity_id: Annotated[str | None, Field(title="Entity Id")]
    client_ip: Annotated[str | None, Field(title="Client Ip")]
    request_id: Annotated[str | None, Field(title="Request Id")]
    detail: Annotated[dict[str, Any], Field(title="Detail")]


class DiagnosisIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    code: Annotated[str, Field(title="Code")]
    description: Annotated[str | None, Field(title="Description")] = None


class DiagnosisRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    code: Annotated[str, Field(title="Code")]
    laterality: Annotated[
        str | None,
        Field(
            description="left, right, bilateral or unspecified, from the code.", title="Laterality"
        ),
    ] = None
    description: Annotated[str | None, Field(title="Description")] = None


class EmergencyContact(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: Annotated[str, Field(title="Name")]
    relationship: Annotated[str | None, Field(title="Relationship")] = None
    phone: Annotated[
        str,
        Field(
            description="A US number in any common format, or +country.",
            examples=["301-555-0123"],
            title="Phone",
        ),
    ]


class EmergencyContactRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    name: Annotated[str, Field(title="Name")]
    relationship: Annotated[str | None, Field(title="Relationship")] = None
    phone: Annotated[str, Field(title="Phone")]


class Health(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Annotated[str, Field(title="Status")]
    service: Annotated[str, Field(title="Service")]


class Insurance(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    payer: Annotated[str, Field(title="Payer")]
    member_id: Annotated[str, Field(title="Member Id")]
    group_number: Annotated[str | None, Field(title="Group Number")] = None


class InsuranceRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    payer: Annotated[str, Field(title="Payer")]
    member_id: Annotated[str, Field(title="Member Id")]
    group_number: Annotated[str | None, Field(title="Group Number")] = None


class PageAuditEventRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[AuditEventRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    current_password: Annotated[str, Field(title="Current Password")]
    new_password: Annotated[str, Field(title="New Password")]


class PatientAccountCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    email: Annotated[str, Field(title="Email")]
    password: Annotated[str, Field(title="Password")]


class PatientStatusRead(BaseModel):
    """
    What another service learns of a patient before it writes for them.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    status: Annotated[Literal["active", "archived"], Field(title="Status")]


class Readiness(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Annotated[str, Field(title="Status")]
    service: Annotated[str, Field(title="Service")]
    database: Annotated[str, Field(title="Database")]
    schema_revision: Annotated[str | None, Field(title="Schema Revision")]


class ReferringPhysician(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: Annotated[str, Field(title="Name")]
    npi: Annotated[str | None, Field(title="Npi")] = None
    phone: Annotated[str | None, Field(title="Phone")] = None


class ReferringPhysicianRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    name: Annotated[str, Field(title="Name")]
    npi: Annotated[str | None, Field(title="Npi")] = None
    phone: Annotated[str | None, Field(title="Phone")] = None


class ServiceTokenResponse(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    access_token: Annotated[str, Field(title="Access Token")]
    token_type: Annotated[Literal["bearer"], Field(title="Token Type")] = "bearer"
    expires_in: Annotated[
        int, Field(description="Seconds until the service token expires.", title="Expires In")
    ]


class StaffAccountCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    email: Annotated[str, Field(title="Email")]
    display_name: Annotated[str, Field(title="Display Name")]
    role: Annotated[Literal["admin", "therapist", "front_desk"], Field(title="Role")]
    password: Annotated[str, Field(title="Password")]


class TokenForm(BaseModel):
    """
    An OAuth2 token request (RFC 6749), form-encoded. Each grant needs its own fields.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    grant_type: Annotated[
        Literal["password", "refresh_token", "client_credentials"] | None,
        Field(
            description="`password` signs in with `username` and `password`; `refresh_token` trades a refresh token for new tokens; `client_credentials` is for the platform's other services (`client_id` and `client_secret`, or HTTP Basic).",
            title="Grant Type",
        ),
    ] = "password"
    username: Annotated[
        str | None,
        Field(
            description="The account's email. Required with grant_type=password.", title="Username"
        ),
    ] = None
    password: Annotated[
        str | None, Field(description="Required with grant_type=password.", title="Password")
    ] = None
    refresh_token: Annotated[
        str | None,
        Field(
            description="Required with grant_type=refresh_token: the one the last token answer gave.",
            title="Refresh Token",
        ),
    ] = None
    client_id: Annotated[
        str | None, Field(description="grant_type=client_credentials.", title="Client Id")
    ] = None
    client_secret: Annotated[
        str | None, Field(description="grant_type=client_credentials.", title="Client Secret")
    ] = None


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    access_token: Annotated[str, Field(title="Access Token")]
    token_type: Annotated[Literal["bearer"], Field(title="Token Type")] = "bearer"
    expires_in: Annotated[
        int, Field(description="Seconds until the access token expires.", title="Expires In")
    ]
    refresh_token: Annotated[
        str,
        Field(
            description="Trade it at /v1/auth/token (grant_type=refresh_token).",
            title="Refresh Token",
        ),
    ]
    refresh_expires_in: Annotated[
        int,
        Field(
            description="Seconds the refresh token stays usable unused.", title="Refresh Expires In"
        ),
    ]


class UserRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    email: Annotated[str, Field(title="Email")]
    display_name: Annotated[str, Field(title="Display Name")]
    role: Annotated[
        Literal["admin", "therapist", "front_desk", "patient", "service"], Field(title="Role")
    ]
    patient_id: Annotated[UUID | None, Field(title="Patient Id")]
    disabled_at: Annotated[AwareDatetime | None, Field(title="Disabled At")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]


class FieldError(BaseModel):
    """
    One rejected input, shaped like pydantic's own entries.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    loc: Annotated[
        list[str | int],
        Field(description='Where: `["body", "phone"]`, `["query", "limit"]`.', title="Loc"),
    ]
    msg: Annotated[str, Field(description="Why, for a person to read.", title="Msg")]
    type: Annotated[
        str,
        Field(description="What kind, for a program: `missing`, `value_error`, ...", title="Type"),
    ]


class Problem(BaseModel):
    """
    An error answer (RFC 9457), the same shape on every route of every service.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    type: Annotated[
        str,
        Field(
            description="A stable URI under https://clinic.example/problems/ naming the kind of problem: branch on it.",
            title="Type",
        ),
    ]
    title: Annotated[
        str, Field(description="A short summary of that kind of problem.", title="Title")
    ]
    status: Annotated[int, Field(description="The HTTP status, repeated.", title="Status")]
    detail: Annotated[
        str,
        Field(
            description="What went wrong with this request, for a person to read.", title="Detail"
        ),
    ]
    instance: Annotated[str, Field(description="The path of the request.", title="Instance")]
    errors: Annotated[
        list[FieldError] | None,
        Field(
            description="With 422: every rejected field, where pydantic or a rule found one.",
            title="Errors",
        ),
    ] = None


class PageUserRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[UserRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PatientCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    given_name: Annotated[str, Field(title="Given Name")]
    family_name: Annotated[str, Field(title="Family Name")]
    preferred_name: Annotated[str | None, Field(title="Preferred Name")] = None
    birth_date: Annotated[date, Field(examples=["1979-05-17"], title="Birth Date")]
    sex: Annotated[Literal["female", "male", "other", "unknown"], Field(title="Sex")]
    home_location: Annotated[
        str,
        Field(
            description="A clinic's slug (scheduling's /v1/locations).",
            examples=["gaithersburg"],
            title="Home Location",
        ),
    ]
    phone: Annotated[str | None, Field(title="Phone")] = None
    email: Annotated[str | None, Field(title="Email")] = None
    address: Address | None = None
    emergency_contact: EmergencyContact | None = None
    insurance: Insurance | None = None
    referring_physician: ReferringPhysician | None = None
    diagnoses: Annotated[list[DiagnosisIn] | None, Field(title="Diagnoses")] = None


class PatientRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    given_name: Annotated[str, Field(title="Given Name")]
    family_name: Annotated[str, Field(title="Family Name")]
    preferred_name: Annotated[str | None, Field(title="Preferred Name")]
    birth_date: Annotated[date, Field(title="Birth Date")]
    sex: Annotated[Literal["female", "male", "other", "unknown"], Field(title="Sex")]
    home_location: Annotated[str, Field(title="Home Location")]
    phone: Annotated[str | None, Field(title="Phone")]
    email: Annotated[str | None, Field(title="Email")]
    address: AddressRead | None
    emergency_contact: EmergencyContactRead | None
    insurance: InsuranceRead | None
    referring_physician: ReferringPhysicianRead | None
    diagnoses: Annotated[list[DiagnosisRead], Field(title="Diagnoses")]
    status: Annotated[Literal["active", "archived"], Field(title="Status")]
    archived_at: Annotated[AwareDatetime | None, Field(title="Archived At")]
    archive_reason: Annotated[str | None, Field(title="Archive Reason")]
    version: Annotated[int, Field(title="Version")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]


class PatientUpdate(BaseModel):
    """
    A partial update: fields sent replace the stored ones. `null` clears an optional
    field; the fields a record must have take no null (send `[]` for no diagnoses).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    given_name: Annotated[str | None, Field(title="Given Name")] = None
    family_name: Annotated[str | None, Field(title="Family Name")] = None
    preferred_name: Annotated[str | None, Field(title="Preferred Name")] = None
    birth_date: Annotated[date | None, Field(examples=["1979-05-17"], title="Birth Date")] = None
    sex: Annotated[Literal["female", "male", "other", "unknown"] | None, Field(title="Sex")] = None
    home_location: Annotated[
        str | None,
        Field(
            description="A clinic's slug (scheduling's /v1/locations).",
            examples=["gaithersburg"],
            title="Home Location",
        ),
    ] = None
    phone: Annotated[str | None, Field(title="Phone")] = None
    email: Annotated[str | None, Field(title="Email")] = None
    address: Address | None = None
    emergency_contact: EmergencyContact | None = None
    insurance: Insurance | None = None
    referring_physician: ReferringPhysician | None = None
    diagnoses: Annotated[list[DiagnosisIn] | None, Field(title="Diagnoses")] = None


class PagePatientRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[PatientRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None
