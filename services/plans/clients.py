"""The plans service's calls to the patients and scheduling services, reading only the fields
it needs. One client of each per process (built on first use, on the process's one httpx
client), handed to routes by the dependencies at the bottom."""

import uuid
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import BaseModel

from services.common.service_client import CallPolicy, ServiceClient


class PatientRef(BaseModel):
    id: uuid.UUID
    given_name: str
    family_name: str
    preferred_name: str | None = None
    status: Literal["active", "archived"]


class AccountRef(BaseModel):
    id: uuid.UUID
    display_name: str
    role: str


class PatientStatusRef(BaseModel):
    id: uuid.UUID
    status: Literal["active", "archived"]


class AccountStatusRef(BaseModel):
    user_id: uuid.UUID
    active: bool
    role: str
    display_name: str


class LocationRef(BaseModel):
    slug: str
    name: str
    street: str
    city: str
    state: str
    postal_code: str
    phone: str | None = None
    time_zone: str


class PatientsClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def patient(self, patient_id: uuid.UUID, *, token: str) -> PatientRef | None:
        """The patient as the caller may see it (None: no such patient for this caller)."""
        return await self._client.get(f"/v1/patients/{patient_id}", PatientRef, token=token)

    async def me(self, *, token: str) -> AccountRef | None:
        """The caller's own account (its display name)."""
        return await self._client.get("/v1/users/me", AccountRef, token=token)

    async def patient_status(self, patient_id: uuid.UUID) -> PatientStatusRef | None:
        """Whether the patient exists and is active, asked as this service (None: no such
        patient): an admin's own token could not read the record."""
        return await self._client.get(f"/v1/patients/{patient_id}/status", PatientStatusRef)

    async def account_status(self, user_id: uuid.UUID) -> AccountStatusRef | None:
        """Another account's role, name and whether it may act, asked as this service."""
        return await self._client.get(f"/v1/accounts/{user_id}/status", AccountStatusRef)


class SchedulingClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def location(self, slug: str, *, token: str | None = None) -> LocationRef | None:
        return await self._client.get(f"/v1/locations/{slug}", LocationRef, token=token)


def _service_client(request: Request, name: str) -> ServiceClient:
    # One per process, rebuilt when the lifespan's HTTP client is (a restarted app).
    http = request.app.state.http
    clients: dict[str, ServiceClient] = request.app.state.__dict__.setdefault("clients", {})
    if name not in clients or clients[name].http is not http:
        settings = request.app.state.settings
        clients[name] = ServiceClient(
            http,
            getattr(settings, f"{name}_url"),
            name=name,
            policy=CallPolicy.from_settings(settings),
            tokens=request.app.state.service_tokens,
        )
    return clients[name]


def patients_client(request: Request) -> PatientsClient:
    return PatientsClient(_service_client(request, "patients"))


def scheduling_client(request: Request) -> SchedulingClient:
    return SchedulingClient(_service_client(request, "scheduling"))


PatientsDep = Annotated[PatientsClient, Depends(patients_client)]
SchedulingDep = Annotated[SchedulingClient, Depends(scheduling_client)]
