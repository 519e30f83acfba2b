"""The patients service's calls to other services, reading only the fields it needs."""

from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel

from services.common.service_client import CallPolicy, ServiceClient


class LocationRef(BaseModel):
    slug: str


class SchedulingClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def location_exists(self, slug: str, *, token: str) -> bool:
        location = await self._client.get(f"/v1/locations/{slug}", LocationRef, token=token)
        return location is not None and location.slug == slug


def scheduling_client(request: Request) -> SchedulingClient:
    """The dependency that gives a route the scheduling client, on the process's one
    httpx client and the call policy from settings."""
    settings = request.app.state.settings
    return SchedulingClient(
        ServiceClient(
            request.app.state.http,
            settings.scheduling_url,
            name="scheduling",
            policy=CallPolicy.from_settings(settings),
        )
    )


SchedulingDep = Annotated[SchedulingClient, Depends(scheduling_client)]
