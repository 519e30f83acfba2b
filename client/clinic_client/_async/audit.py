"""The audit trails: each service keeps its own (admins read them).

Behind the reverse proxy the patients service's trail is at `/v1/audit`, the others under
the service's name (`/plans/v1/audit`): the client finds each where it is.
"""

from collections.abc import AsyncIterator
from uuid import UUID

from clinic_client._async.engine import AsyncArea
from clinic_client.models.patients import AuditEventRead
from clinic_client.operations import PATIENTS, PLANS, SCHEDULING


class AsyncAudit(AsyncArea):
    """Who read or changed what, and when, newest first."""

    @PATIENTS.get("/v1/audit")
    def patients(
        self,
        *,
        patient_id: UUID | None = None,
        actor_id: UUID | None = None,
        action: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AuditEventRead]:
        """The patients service's trail: records, accounts, sign-ins."""

    @PLANS.get("/v1/audit", own_page=True)
    def plans(
        self,
        *,
        patient_id: UUID | None = None,
        actor_id: UUID | None = None,
        action: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AuditEventRead]:
        """The plans service's trail: plans of care, sessions, handouts."""

    @SCHEDULING.get("/v1/audit", own_page=True)
    def scheduling(
        self,
        *,
        patient_id: UUID | None = None,
        actor_id: UUID | None = None,
        action: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AuditEventRead]:
        """The scheduling service's trail: appointments."""
