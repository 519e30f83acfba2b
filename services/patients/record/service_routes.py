"""The patient record's route that only other services call (service tokens only).

Not routed by the public proxy (deploy/Caddyfile): plans and scheduling ask it on the internal
network before they write anything for a patient. They ask as themselves, since the user
behind their request may be an admin, who does not read patient records.
"""

import uuid
from typing import Any

from fastapi import APIRouter

from services.common.audit import OriginDep
from services.common.auth import ServiceCallerDep
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.patients.record import service
from services.patients.record.schemas import PatientStatusRead

patient_status_router = APIRouter(prefix="/v1/patients", tags=["service"])


@patient_status_router.get(
    "/{patient_id}/status",
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
