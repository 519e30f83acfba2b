"""Who reaches a plan of care through a kind of staff or patient route, checked on the plan.

One rule, built on common's PatientScoped, with the plan's routes differing only in who
uses them:
- a role the routes are not for hears 403 whatever the plan id, before any lookup;
- a patient never reaches another patient's plan: it answers 404, the same as an id that
  does not exist, so plan ids cannot be probed;
- on their own plan, a patient either uses the routes (home records) or, where the routes
  are staff's (plans of care, progress reports), is told 403 and where to go instead.
Every refusal is audited. (The handout checks the same rule in its own order, together
with the plan's status and the format asked for, in one audit row: see handout/service.py.)
"""

import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller, Role
from services.common.errors import Forbidden
from services.common.lookup import one_or_404
from services.common.visibility import PatientScoped
from services.plans import audit
from services.plans.models import PlanOfCare

PLAN_NOT_FOUND = "No plan of care with this id."


@dataclass(frozen=True, slots=True)
class PlanAccess:
    """The roles a kind of plan route is for ("patient": on their own plan), the 403 for
    any other role, and, when patients are not among the roles but are still told apart
    per plan, the 403 a patient hears on their own plan (None: refused like any role)."""

    roles: tuple[Role, ...]
    forbidden: str
    patients_elsewhere: str | None = None

    @property
    def scope(self) -> PatientScoped:
        staff = tuple(role for role in self.roles if role != "patient")
        return PatientScoped(staff_roles=staff, not_found=PLAN_NOT_FOUND, forbidden=self.forbidden)

    def check_role(self, caller: Caller, *, action: str, origin: audit.Origin) -> None:
        told_apart = caller.role == "patient" and self.patients_elsewhere is not None
        if caller.role not in self.roles and not told_apart:
            raise audit.refused(
                Forbidden(self.forbidden),
                action=action,
                caller=caller,
                origin=origin,
                patient_id=None,
            )

    async def plan(
        self,
        session: AsyncSession,
        *,
        plan_id: uuid.UUID,
        caller: Caller,
        origin: audit.Origin,
        action: str,
        for_update: bool = False,
    ) -> PlanOfCare:
        """The plan if this caller may reach it here (locked for the transaction when
        for_update); the audited 403 or 404 otherwise."""
        self.check_role(caller, action=action, origin=origin)
        plan = await one_or_404(
            session, PlanOfCare, plan_id, detail=PLAN_NOT_FOUND, for_update=for_update
        )
        self.scope.check(caller, plan.patient_id, trail=audit.trail, action=action, origin=origin)
        if caller.role == "patient" and "patient" not in self.roles:  # their own plan
            raise audit.refused(
                Forbidden(self.patients_elsewhere or self.forbidden),
                action=action,
                caller=caller,
                origin=origin,
                patient_id=plan.patient_id,
            )
        return plan
