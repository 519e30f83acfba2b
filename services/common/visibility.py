"""Per-object visibility of records that belong to one patient.

A patient reaches only their own records; for anyone else a patient's id answers 404, the same
as an id that does not exist, so ids cannot be probed. Staff roles reach the records their work
needs; other roles are refused with 403. Every refusal is audited, so a privacy officer sees
who tried to reach which record.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from services.common.audit import AuditTrail, Origin
from services.common.auth import Caller, Role
from services.common.errors import Forbidden, NotFound, Problem


@dataclass(frozen=True, slots=True)
class PatientScoped:
    """Who may see a kind of record that belongs to one patient."""

    staff_roles: tuple[Role, ...]
    not_found: str  # the 404's detail, e.g. "No patient with this id."
    forbidden: str = "Your role does not reach these records."

    def refusal(self, caller: Caller, patient_id: uuid.UUID) -> Problem | None:
        """The problem to answer, or None when the caller may see the record."""
        if caller.role == "patient":
            return None if caller.patient_id == patient_id else NotFound(self.not_found)
        if caller.role in self.staff_roles:
            return None
        return Forbidden(self.forbidden)

    def check(
        self,
        caller: Caller,
        patient_id: uuid.UUID,
        *,
        trail: AuditTrail[Any],
        action: str,
        origin: Origin,
    ) -> None:
        """Raise the audited refusal unless the caller may see the patient's record."""
        refusal = self.refusal(caller, patient_id)
        if refusal is not None:
            raise trail.refused(
                refusal, action=action, caller=caller, origin=origin, patient_id=patient_id
            )
