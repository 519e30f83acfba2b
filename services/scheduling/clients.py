"""The scheduling service's calls to the patients and plans services, reading only the fields
it needs. One client of each per process (`process_client`: built on first use, on the
process's one httpx client), handed to routes by the dependencies at the bottom."""

import uuid
from collections.abc import Collection
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import BaseModel

from services.common.service_client import ServiceClient, process_client


class AccountStatusRef(BaseModel):
    active: bool
    role: str


class PatientStatusRef(BaseModel):
    id: uuid.UUID
    status: Literal["active", "archived"]


class PatientNameRef(BaseModel):
    id: uuid.UUID
    display_name: str
    initials: str


class PatientNamesRef(BaseModel):
    items: list[PatientNameRef]


class PatientIds(BaseModel):
    """The body of the patients service's `POST /v1/patient-names`."""

    ids: list[uuid.UUID]


LOOKUP_BATCH = 200  # the most ids the patients service takes in one lookup


class AuthorizationRef(BaseModel):
    """The insurer's authorization of a plan: any part may be unset."""

    visits: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    visits_left: int | None = None  # visits allowed less those completed in the valid dates


class PlanRef(BaseModel):
    """A plan of care's scheduling facts (the front desk's view of it, or part of the whole)."""

    id: uuid.UUID
    patient_id: uuid.UUID
    status: str
    certification_start: date
    certification_end: date
    authorization: AuthorizationRef | None = None
    visits_since_progress_report: int = 0
    frequency_per_week: int | None = None  # a series from the plan books their product
    duration_weeks: int | None = None


class PatientsClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def account_status(self, user_id: uuid.UUID) -> AccountStatusRef | None:
        """Whether an account may act and its role, asked as this service (None: no such
        account)."""
        return await self._client.get(f"/v1/accounts/{user_id}/status", AccountStatusRef)

    async def patient_status(self, patient_id: uuid.UUID) -> PatientStatusRef | None:
        """Whether a patient exists and is active, asked as this service: an admin who books
        cannot read patient records (None: no such patient)."""
        return await self._client.get(f"/v1/patients/{patient_id}/status", PatientStatusRef)

    async def lookup(self, patient_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, PatientNameRef]:
        """The names of these patients, by id, asked as this service in batches of 200 (one
        call for up to 200 ids); an id of no patient is left out. Sent once, not retried: a
        day sheet shows without names sooner than it waits."""
        ids = sorted(set(patient_ids))
        found: dict[uuid.UUID, PatientNameRef] = {}
        for start in range(0, len(ids), LOOKUP_BATCH):
            body = PatientIds(ids=ids[start : start + LOOKUP_BATCH])
            answer = await self._client.post("/v1/patient-names", body, PatientNamesRef)
            found |= {patient.id: patient for patient in answer.items}
        return found


class PlansClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def plan(self, plan_id: uuid.UUID, *, token: str) -> PlanRef | None:
        """The plan as the caller may read it, asked with their token, so the plans service
        audits the read under them (None: no such plan for this caller)."""
        return await self._client.get(f"/v1/plans/{plan_id}", PlanRef, token=token)


def patients_client(request: Request) -> PatientsClient:
    return PatientsClient(process_client(request, "patients"))


def plans_client(request: Request) -> PlansClient:
    return PlansClient(process_client(request, "plans"))


PatientsDep = Annotated[PatientsClient, Depends(patients_client)]
PlansDep = Annotated[PlansClient, Depends(plans_client)]
