"""Who reaches a plan's home records, checked on the plan itself.

A patient reaches only the plans of care that are theirs: any other plan answers 404, the
same as a plan that does not exist, so plan ids cannot be probed. Staff reach what their
work needs (the front desk never reads a home log). A role the records are not for hears
403 whatever the plan id, before any lookup. Refusals are audited (common's PatientScoped).
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
class HomeAccess:
    """The roles that may use a kind of home record; a patient only on their own plan."""

    roles: tuple[Role, ...]
    forbidden: str

    @property
    def scope(self) -> PatientScoped:
        staff = tuple(role for role in self.roles if role != "patient")
        return PatientScoped(staff_roles=staff, not_found=PLAN_NOT_FOUND, forbidden=self.forbidden)

    def check_role(self, caller: Caller, *, action: str, origin: audit.Origin) -> None:
        if caller.role not in self.roles:
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
        """The plan if this caller may reach its home records (locked for the transaction
        when for_update); 403 or 404 otherwise."""
        self.check_role(caller, action=action, origin=origin)
        plan = await one_or_404(
            session, PlanOfCare, plan_id, detail=PLAN_NOT_FOUND, for_update=for_update
        )
        self.scope.check(caller, plan.patient_id, trail=audit.trail, action=action, origin=origin)
        return plan


LOGGING = HomeAccess(
    roles=("patient",),
    forbidden="Only the patient logs and corrects their home sessions.",
)
READING = HomeAccess(
    roles=("patient", "therapist", "admin"),
    forbidden="The front desk does not read home exercise logs or adherence.",
)
FLAGS = HomeAccess(
    roles=("therapist", "admin"),
    forbidden="Red flags are for therapists and administrators.",
)
