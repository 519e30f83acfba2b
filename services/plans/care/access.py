"""Who reaches a plan of care through the staff routes.

Therapists and admins reach every plan; the front desk reads a plan's scheduling facts and
nothing else. A patient reads their own plans at `/v1/me/plans`, never here: their own plan
answers 403 and another patient's 404, the very answer of an id that does not exist. Every
refusal is audited (the plans' one rule: services/plans/visibility.py).
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller, Role
from services.plans import audit
from services.plans.models import PlanOfCare
from services.plans.visibility import PlanAccess

CLINICIANS: tuple[Role, ...] = ("therapist", "admin")
STAFF: tuple[Role, ...] = ("therapist", "admin", "front_desk")
PATIENTS_READ_ELSEWHERE = "Patients read their own plans at /v1/me/plans."


def _access(roles: tuple[Role, ...]) -> PlanAccess:
    return PlanAccess(
        roles=roles,
        forbidden=f"This needs one of the roles: {', '.join(roles)}.",
        patients_elsewhere=PATIENTS_READ_ELSEWHERE,
    )


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
    return await _access(roles).plan(
        session,
        plan_id=plan_id,
        caller=caller,
        origin=origin,
        action=action,
        for_update=for_update,
    )
