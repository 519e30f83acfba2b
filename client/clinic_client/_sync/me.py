# Generated from _async/me.py by `make client-code` (ops/client_code.py): do not edit.
"""What a signed-in patient reads of their own: plans of care and appointments."""

from collections.abc import Iterator
from uuid import UUID

from clinic_client._sync.engine import Area
from clinic_client.models.plans import MyPlanRead
from clinic_client.models.scheduling import AppointmentRead
from clinic_client.operations import PLANS, SCHEDULING


class Me(Area):
    """The signed-in patient's own plans and appointments."""

    @PLANS.get("/v1/me/plans")
    def plans(self, page_size: int | None = None) -> Iterator[MyPlanRead]:
        """Your active plans: the home and clinic parts, dosage in words, cues, precautions."""

    @PLANS.get("/v1/me/plans/{plan_id}")
    def plan(self, plan_id: UUID) -> MyPlanRead:
        """One of your plans."""

    @SCHEDULING.get("/v1/me/appointments")
    def appointments(self, page_size: int | None = None) -> Iterator[AppointmentRead]:
        """Your appointments."""
