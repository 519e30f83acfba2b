"""Who reaches a plan of care through the staff routes.

Therapists and admins reach every plan; the front desk reads a plan's scheduling facts and
nothing else. A patient reads their own plans at `/v1/me/plans`, never here: their own plan
answers 403 and another patient's 404, the very answer of an id that does not exist. Every
refusal is audited.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller, Role
from services.common.errors import Forbidden
from services.common.lookup import one_or_404
from services.common.visibility import PatientScoped
from services.plans import audit
from services.plans.models import PlanOfCare

NOT_FOUND = "No plan of care with this id."
CLINICIANS: tuple[Role, ...] = ("therapist", "admin")
STAFF: tuple[Role, ...] = ("therapist", "admin", "front_desk")
PLAN_VISIBILITY = PatientScoped(staff_roles=STAFF, not_found=NOT_FOUND)
PATIENTS_READ_ELSEWHERE = "Patients read their own plans at /v1/me/plans."


async def reachable_plan(
    session: AsyncSession,
    plan_id: uuid.UUID,
    *,
    caller: Caller,
    origin: audit.Origin,
    action: str,
    roles: tuple[Role, ...] = CLINICIANS,
    for_update: bool = False,
) -> PlanOfCare:
    """The plan, if a caller of one of `roles` asks (locked for the transaction when
    for_update); else the audited refusal. A staff role outside `roles` is refused before
    any query, whatever the id."""
    if caller.role != "patient" and caller.role not in roles:
        refusal = Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
        raise audit.refused(refusal, action=action, caller=caller, origin=origin, patient_id=None)
    plan = await one_or_404(session, PlanOfCare, plan_id, detail=NOT_FOUND, for_update=for_update)
    PLAN_VISIBILITY.check(caller, plan.patient_id, trail=audit.trail, action=action, origin=origin)
    if caller.role == "patient":  # their own plan: they read it elsewhere
        raise audit.refused(
            Forbidden(PATIENTS_READ_ELSEWHERE),
            action=action,
            caller=caller,
            origin=origin,
            patient_id=plan.patient_id,
        )
    return plan
