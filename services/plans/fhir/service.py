"""Who reads a plan as FHIR, and which view: the rules of the JSON reads, on one route.

Staff as at GET /v1/plans/{id}: therapists and admins the whole plan, the front desk its
scheduling facts. A patient as at GET /v1/me/plans/{id}: their own active or on-hold plan;
another patient's plan, a draft, a closed plan and an unknown id answer the same 404. Every
read and refusal is audited (`plan.fhir.read`), the read in the request's transaction.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import NotFound
from services.common.fhir import Resource
from services.plans import audit
from services.plans.care.access import STAFF
from services.plans.fhir.resources import View, plan_bundle
from services.plans.me.service import VISIBLE_STATUSES
from services.plans.models import PlanOfCare
from services.plans.visibility import PLAN_NOT_FOUND, PlanAccess

ACTION = "plan.fhir.read"
READERS = PlanAccess(
    roles=("patient", *STAFF),
    forbidden="Plans are read by staff and by their own patient.",
)
VIEWS: dict[str, View] = {"front_desk": "scheduling", "patient": "patient"}


async def read_plan_bundle(
    session: AsyncSession, *, plan_id: uuid.UUID, caller: Caller, origin: audit.Origin
) -> tuple[PlanOfCare, Resource]:
    """The plan and its Bundle as this caller may see it; the audited 404 (or 403) else."""
    plan = await READERS.plan(session, plan_id=plan_id, caller=caller, origin=origin, action=ACTION)
    if caller.role == "patient" and plan.status not in VISIBLE_STATUSES:
        refusal = NotFound(PLAN_NOT_FOUND)  # a patient never sees a draft nor a closed plan
        raise audit.refused(
            refusal, action=ACTION, caller=caller, origin=origin, patient_id=plan.patient_id
        )
    view = VIEWS.get(caller.role, "clinical")
    detail = {"version": plan.version, "revision": plan.revision, "view": view}
    await audit.record_on_plan(
        session, plan, action=ACTION, caller=caller, origin=origin, detail=detail
    )
    return plan, plan_bundle(plan, view=view)
