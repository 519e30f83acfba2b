"""The patients service's calls to other services, reading only the fields it needs."""

from pydantic import BaseModel

from services.common.service_client import ServiceClient


class LocationRef(BaseModel):
    slug: str


class SchedulingClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def location_exists(self, slug: str, *, token: str) -> bool:
        location = await self._client.get(f"/v1/locations/{slug}", LocationRef, token=token)
        return location is not None and location.slug == slug
