"""HTTP route of a plan of care as FHIR R4: `GET /v1/plans/{plan_id}/fhir`."""

import uuid

from fastapi import APIRouter

from services.common.audit import OriginDep
from services.common.auth import CallerDep
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.common.fhir import FhirResponse, fhir_answer
from services.common.preconditions import etag_of
from services.plans.fhir import service
from services.plans.fhir.resources import DOSAGE_EXTENSION

fhir_router = APIRouter(prefix="/v1/plans", tags=["FHIR"])

BUNDLE = (
    "A FHIR R4 Bundle of type `collection`: the CarePlan first (status, intent `plan`, "
    "subject `Patient/<id>`, the certification period, the therapist as author "
    "`Practitioner/<id>`), then its diagnoses as Conditions (ICD-10-CM) and its goals as "
    "Goals, which the CarePlan points at as `urn:uuid:<id>`. Each exercise is an activity: "
    "`detail.code` names it, `detail.description` gives the dosage in words, and the "
    f"extension `{DOSAGE_EXTENSION}` carries the numbers, as sub-extensions `sets`, "
    "`sets-max`, `reps`, `reps-max`, `hold-seconds`, `hold-seconds-max`, `times-per-day`, "
    "`days-per-week` (valueInteger, each only when set; `-max`: the top of a range), `side` "
    "(valueCode `left`, `right`, `both` or `each`) and `setting` (valueCode `home` or "
    "`clinic`: the part of the program). The front desk gets the CarePlan alone, without "
    "diagnoses, goals or activities; a patient gets no Goals. See docs/fhir.md."
)


@fhir_router.get(
    "/{plan_id}/fhir",
    response_class=FhirResponse,
    responses=fhir_answer(BUNDLE, ("Bundle",), etag=True) | problem_responses(403, 404),
)
async def read_plan_fhir(
    plan_id: uuid.UUID, caller: CallerDep, session: SessionDep, origin: OriginDep
) -> FhirResponse:
    """The plan as a FHIR R4 Bundle (`application/fhir+json`), with the plan's ETag: staff
    as at /v1/plans/{id}, a patient their own active or on-hold plan."""
    plan, bundle = await service.read_plan_bundle(
        session, plan_id=plan_id, caller=caller, origin=origin
    )
    return FhirResponse(bundle, headers={"ETag": etag_of(plan)})
