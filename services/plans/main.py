"""The plans service app: `uvicorn services.plans.main:app`."""

import httpx
from fastapi import FastAPI

from services.common.app import create_app
from services.common.audit import audit_router
from services.common.settings import get_settings
from services.plans.audit import trail
from services.plans.care.routes import plans_router
from services.plans.fhir.routes import fhir_router
from services.plans.handout.routes import handout_router
from services.plans.home.routes import home_router
from services.plans.library.routes import exercises_router, protocols_router
from services.plans.me.routes import me_plans_router
from services.plans.progress.routes import progress_router, visit_outcomes_router
from services.plans.queues.routes import queues_router
from services.plans.settings import PlansSettings


def build_app(
    settings: PlansSettings | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    return create_app(
        service="plans",
        title="Clinic plans service",
        description="The exercise library and condition protocols, patients' plans of care "
        "with their home exercise programs, home sessions, adherence and red flags.",
        routers=[
            exercises_router,
            protocols_router,
            me_plans_router,
            home_router,
            handout_router,
            fhir_router,
            queues_router,
            progress_router,
            visit_outcomes_router,
            plans_router,
            audit_router(trail, name="read_plans_audit_trail"),
        ],
        settings=settings or get_settings(PlansSettings),
        http_transport=http_transport,
    )


app = build_app()
