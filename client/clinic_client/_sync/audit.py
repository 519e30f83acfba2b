# Generated from _async/audit.py by `make client-code` (ops/client_code.py): do not edit.
"""The audit trails: each service keeps its own (admins read them).

Behind the reverse proxy the patients service's trail is at `/v1/audit`, the others under
the service's name (`/plans/v1/audit`): the client finds each where it is.
"""

from collections.abc import Iterator
from uuid import UUID

from clinic_client._sync.engine import Area
from clinic_client.models.patients import AuditEventRead
from clinic_client.operations import PATIENTS, PLANS, SCHEDULING


class Audit(Area):
    """Who read or changed what, and when, newest first."""

    @PATIENTS.get("/v1/audit")
    def patients(
        self,
        *,
        patient_id: UUID | None = None,
        actor_id: UUID | None = None,
        action: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[AuditEventRead]:
        """The patients service's trail: records, accounts, sign-ins."""

    @PLANS.get("/v1/audit", own_page=True)
    def plans(
        self,
        *,
        patient_id: UUID | None = None,
        actor_id: UUID | None = None,
        action: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[AuditEventRead]:
        """The plans service's trail: plans of care, sessions, handouts."""

    @SCHEDULING.get("/v1/audit", own_page=True)
    def scheduling(
        self,
        *,
        patient_id: UUID | None = None,
        actor_id: UUID | None = None,
        action: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[AuditEventRead]:
        """The scheduling service's trail: appointments."""
