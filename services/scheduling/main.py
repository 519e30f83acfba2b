"""The scheduling service app: `uvicorn services.scheduling.main:app`."""

import httpx
from fastapi import FastAPI

from services.common.app import create_app
from services.common.audit import audit_router
from services.common.settings import get_settings
from services.scheduling.appointments.outbox import relaying
from services.scheduling.appointments.routes import appointments_router, me_router
from services.scheduling.audit import trail
from services.scheduling.availability.routes import availability_router
from services.scheduling.calendar.routes import calendar_feed_router, feeds_router
from services.scheduling.fhir.routes import appointment_fhir_router, my_fhir_router
from services.scheduling.holds.routes import holds_router
from services.scheduling.reference.routes import locations_router, types_router
from services.scheduling.settings import SchedulingSettings
from services.scheduling.therapists.routes import therapists_router
from services.scheduling.waitlist.routes import waitlist_router


def build_app(
    settings: SchedulingSettings | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    return create_app(
        service="scheduling",
        title="Clinic scheduling service",
        description="The clinics (address, time zone, opening hours, rooms), the kinds of "
        "visit, therapists' weekly hours and time off, the free slots they leave, and the "
        "appointments booked in them, holds of a time while a booking is settled, and the "
        "wait list offered the time of cancelled visits.",
        routers=[
            locations_router,
            types_router,
            therapists_router,
            availability_router,
            # Before the appointments' own: /v1/me/appointments/fhir is not an id of theirs.
            appointment_fhir_router,
            my_fhir_router,
            appointments_router,
            me_router,
            calendar_feed_router,
            feeds_router,
            holds_router,
            waitlist_router,
            audit_router(trail, name="read_scheduling_audit_trail"),
        ],
        settings=settings or get_settings(SchedulingSettings),
        on_startup=relaying,
        http_transport=http_transport,
    )


app = build_app()
