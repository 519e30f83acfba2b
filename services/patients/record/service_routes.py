"""The patient record's routes that only other services call (service tokens only).

Not routed by the public proxy (deploy/Caddyfile): plans and scheduling ask them on the
internal network. They ask as themselves, since the user behind their request may be an
admin, who does not read patient records.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.common.audit import OriginDep
from services.common.auth import Caller, ServiceCallerDep, require_service
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.patients.record import service
from services.patients.record.schemas import PatientLookup, PatientNamesRead, PatientStatusRead

patient_status_router = APIRouter(tags=["service"])

# Names are for scheduling's day sheet and calendar feeds: plans' token is refused.
SchedulingCaller = Annotated[Caller, Depends(require_service("scheduling"))]


@patient_status_router.get(
    "/v1/patients/{patient_id}/status",
    response_model=PatientStatusRead,
    responses=problem_responses(401, 403, 404),
)
async def read_patient_status(
    patient_id: uuid.UUID, caller: ServiceCallerDep, session: SessionDep, origin: OriginDep
) -> Any:
    """Whether a patient exists and is active or archived. Services only: plans and
    scheduling ask it before they write a plan or an appointment for the patient."""
    return await service.patient_status(
        session, patient_id=patient_id, caller=caller, origin=origin
    )


# Not under /v1/patients/: there the path would also match /v1/patients/{patient_id}, whose
# methods a 405 would then advertise; and the proxy routes /v1/patients* to this service.
@patient_status_router.post(
    "/v1/patient-names", response_model=PatientNamesRead, responses=problem_responses(401, 403)
)
async def look_up_patients(
    data: PatientLookup, caller: SchedulingCaller, session: SessionDep, origin: OriginDep
) -> Any:
    """The display names and initials of up to 200 patients at once (scheduling's service
    token only: its day sheet and calendar feeds). Unknown ids are left out."""
    items = await service.lookup_patients(session, ids=data.ids, caller=caller, origin=origin)
    return PatientNamesRead(items=items)
