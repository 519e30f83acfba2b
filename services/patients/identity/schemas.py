"""Request and response bodies of sign-in and accounts."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from services.common.auth import Role
from services.common.schemas import Strict
from services.patients.names import ShortText

# -- accounts -------------------------------------------------------------------------------

Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
StaffRole = Literal["admin", "therapist", "front_desk"]


class StaffAccountCreate(Strict):
    email: EmailStr
    display_name: ShortText
    role: StaffRole
    password: Password


class PatientAccountCreate(Strict):
    email: EmailStr
    password: Password


class PasswordChange(Strict):
    current_password: Password
    new_password: Password


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (a scheme name, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(description="Trade it at /v1/auth/token (grant_type=refresh_token).")
    refresh_expires_in: int = Field(description="Seconds the refresh token stays usable unused.")


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    patient_id: uuid.UUID | None
    disabled_at: datetime | None
    created_at: datetime
