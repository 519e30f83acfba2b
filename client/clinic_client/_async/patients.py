"""The patients service: accounts (`client.users`) and patient records (`client.patients`).

Signing in is on the client itself (`sign_in`); the routes only other services may call
(`/v1/accounts/{id}/status`, `/v1/patients/{id}/status`) are not here.
"""

from collections.abc import AsyncIterator
from datetime import date
from typing import Any, Literal
from uuid import UUID

from clinic_client._async.engine import AsyncArea
from clinic_client.models.patients import (
    ArchiveRequest,
    PasswordChange,
    PatientAccountCreate,
    PatientCreate,
    PatientRead,
    PatientUpdate,
    StaffAccountCreate,
    UserRead,
)
from clinic_client.operations import PATIENTS

Role = Literal["admin", "therapist", "front_desk", "patient"]


class AsyncUsers(AsyncArea):
    """Accounts: your own, and (admins) the staff's."""

    @PATIENTS.get("/v1/users/me")
    async def me(self) -> UserRead:
        """The signed-in account (a patient's carries its `patient_id`)."""

    @PATIENTS.post("/v1/users/me/password")
    async def change_password(self, change: PasswordChange) -> None:
        """Change your own password; every session of the account ends, this one too."""

    @PATIENTS.post("/v1/users")
    async def create_staff(self, account: StaffAccountCreate) -> UserRead:
        """Create a staff account (admins)."""

    @PATIENTS.get("/v1/users")
    def list(
        self, role: Role | None = None, page_size: int | None = None
    ) -> AsyncIterator[UserRead]:
        """Every account, optionally of one role (admins)."""

    @PATIENTS.get("/v1/users/{user_id}")
    async def read(self, user_id: UUID) -> UserRead:
        """One account (admins)."""

    @PATIENTS.post("/v1/users/{user_id}/disable")
    async def disable(self, user_id: UUID) -> UserRead:
        """Disable an account: its sessions end and it cannot sign in (admins)."""

    @PATIENTS.post("/v1/users/{user_id}/enable")
    async def enable(self, user_id: UUID) -> UserRead:
        """Enable a disabled account again (admins)."""

    @PATIENTS.get("/.well-known/jwks.json")
    async def signing_keys(self) -> dict[str, Any]:
        """The public keys access tokens are signed with (a JSON Web Key Set)."""


class AsyncPatients(AsyncArea):
    """Patient records: register, search, read, change, archive; a patient's login."""

    @PATIENTS.post("/v1/patients")
    async def register(
        self, patient: PatientCreate, *, idempotency_key: str | None = None
    ) -> PatientRead:
        """Register a patient (safe to retry: one record, however often it is sent)."""

    @PATIENTS.get("/v1/patients")
    def search(
        self,
        name: str | None = None,
        *,
        birth_date: date | None = None,
        phone: str | None = None,
        home_location: str | None = None,
        status: Literal["active", "archived"] | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[PatientRead]:
        """Patients by the start of any name (accents and case ignored), birth date, phone or
        home clinic; archived ones only with `status="archived"`."""

    @PATIENTS.get("/v1/patients/{patient_id}")
    async def read(self, patient_id: UUID) -> PatientRead:
        """One patient's record (a patient: their own only)."""

    @PATIENTS.patch("/v1/patients/{patient_id}")
    async def update(
        self, patient_id: UUID, change: PatientUpdate, *, if_match: int | str
    ) -> PatientRead:
        """Change the fields set in `change`; `if_match`: the `version` you read."""

    @PATIENTS.post("/v1/patients/{patient_id}/archive")
    async def archive(
        self, patient_id: UUID, reason: ArchiveRequest, *, if_match: int | str | None = None
    ) -> PatientRead:
        """Archive the record (never deleted) and disable the patient's login."""

    @PATIENTS.post("/v1/patients/{patient_id}/account")
    async def create_login(
        self,
        patient_id: UUID,
        account: PatientAccountCreate,
        *,
        idempotency_key: str | None = None,
    ) -> UserRead:
        """Give the patient a login (front desk)."""
