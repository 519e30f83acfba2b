"""The scheduling service's calls to the patients service, reading only the fields it needs.
One client per process (`process_client`: built on first use, on the process's one httpx
client), handed to routes by the dependency at the bottom."""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel

from services.common.service_client import ServiceClient, process_client


class AccountStatusRef(BaseModel):
    active: bool
    role: str


class PatientsClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def account_status(self, user_id: uuid.UUID) -> AccountStatusRef | None:
        """Whether an account may act and its role, asked as this service (None: no such
        account)."""
        return await self._client.get(f"/v1/accounts/{user_id}/status", AccountStatusRef)


def patients_client(request: Request) -> PatientsClient:
    return PatientsClient(process_client(request, "patients"))


PatientsDep = Annotated[PatientsClient, Depends(patients_client)]
