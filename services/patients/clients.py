"""The patients service's calls to other services, reading only the fields it needs."""

from pydantic import BaseModel, ValidationError

from services.common.errors import BadGateway
from services.common.service_client import ServiceClient


class LocationRef(BaseModel):
    slug: str


class SchedulingClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def location_exists(self, slug: str, *, token: str) -> bool:
        body = await self._client.get_json(f"/v1/locations/{slug}", token=token)
        if body is None:
            return False
        try:
            return LocationRef.model_validate(body).slug == slug
        except ValidationError as exc:
            raise BadGateway("The scheduling service sent a location we cannot read.") from exc
