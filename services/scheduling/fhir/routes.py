"""HTTP routes of appointments as FHIR R4: `GET /v1/appointments/{appointment_id}/fhir` and
a patient's own, `GET /v1/me/appointments/fhir`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from services.common.audit import OriginDep
from services.common.auth import Caller, CallerDep, require_role
from services.common.columns import utcnow
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.fhir import FhirResponse, fhir_answer
from services.common.pagination import CursorQuery, LimitQuery
from services.common.preconditions import etag_of
from services.scheduling.appointments.access import reachable_appointment
from services.scheduling.fhir import service

appointment_fhir_router = APIRouter(prefix="/v1/appointments", tags=["FHIR"])
my_fhir_router = APIRouter(prefix="/v1/me/appointments", tags=["FHIR"])
Patient = Annotated[Caller, Depends(require_role("patient"))]

APPOINTMENT = (
    "A FHIR R4 Appointment: status (`booked`, `arrived`, `fulfilled`, `noshow`, `cancelled` "
    "with `cancelationReason`), start and end on the clinic's clock with its offset, "
    "`minutesDuration`, the kind of visit as `appointmentType.text`, the participants "
    "`Patient/<id>`, `Practitioner/<id>` and `Location/<slug>`, and a visit of a plan of "
    "care points at `CarePlan/<id>` in `supportingInformation`. See docs/fhir.md."
)
MY_BUNDLE = (
    "A FHIR R4 Bundle of type `searchset`: one page of your visits to come, by start, each "
    "an Appointment (as at /v1/appointments/{id}/fhir). The `next` link, when there is one, "
    "is the following page."
)


@appointment_fhir_router.get(
    "/{appointment_id}/fhir",
    response_class=FhirResponse,
    responses=fhir_answer(APPOINTMENT, ("Appointment",), etag=True) | problem_responses(403, 404),
)
async def read_appointment_fhir(
    appointment_id: uuid.UUID, caller: CallerDep, session: SessionDep, origin: OriginDep
) -> FhirResponse:
    """One appointment as a FHIR R4 Appointment, with its ETag. A patient reads only their
    own."""
    action = service.ACTION
    appointment = await reachable_appointment(
        session, appointment_id, caller=caller, origin=origin, action=action
    )
    resource = await service.read_appointment_resource(
        session, appointment, caller=caller, origin=origin
    )
    return FhirResponse(resource, headers={"ETag": etag_of(appointment)})


@my_fhir_router.get(
    "/fhir",
    response_class=FhirResponse,
    responses=fhir_answer(MY_BUNDLE, ("Bundle",)) | problem_responses(403),
)
async def my_appointments_fhir(
    caller: Patient,
    session: SessionDep,
    origin: OriginDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> FhirResponse:
    """The patient's own visits to come as a FHIR R4 searchset Bundle, a page at a time."""
    bundle = await service.my_appointments_bundle(
        session, caller=caller, origin=origin, now=utcnow(), limit=limit, cursor=cursor
    )
    return FhirResponse(bundle)
