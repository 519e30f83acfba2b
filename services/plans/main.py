"""The plans service app: `uvicorn services.plans.main:app`."""

import httpx
from fastapi import FastAPI

from services.common.app import create_app
from services.common.audit import audit_router
from services.common.settings import get_settings
from services.plans.audit import trail
from services.plans.me.routes import me_plans_router
from services.plans.routes import exercises_router
from services.plans.settings import PlansSettings


def build_app(
    settings: PlansSettings | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    return create_app(
        service="plans",
        title="Clinic plans service",
        description="The exercise library: each exercise with its purpose, instructions "
        "and the dosage a therapist starts from.",
        routers=[
            exercises_router,
            me_plans_router,
            audit_router(trail, name="read_plans_audit_trail"),
        ],
        settings=settings or get_settings(PlansSettings),
        http_transport=http_transport,
    )


app = build_app()
