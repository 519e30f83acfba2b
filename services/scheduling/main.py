"""The scheduling service app: `uvicorn services.scheduling.main:app`."""

import httpx
from fastapi import FastAPI

from services.common.app import create_app
from services.common.settings import get_settings
from services.scheduling.availability.routes import availability_router
from services.scheduling.reference.routes import locations_router, types_router
from services.scheduling.settings import SchedulingSettings
from services.scheduling.therapists.routes import therapists_router


def build_app(
    settings: SchedulingSettings | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    return create_app(
        service="scheduling",
        title="Clinic scheduling service",
        description="The clinics (address, time zone, opening hours, rooms), the kinds of "
        "visit, therapists' weekly hours and time off, and the free slots they leave.",
        routers=[locations_router, types_router, therapists_router, availability_router],
        settings=settings or get_settings(SchedulingSettings),
        http_transport=http_transport,
    )


app = build_app()
