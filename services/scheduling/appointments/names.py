"""Patients' names on the staff lists of appointments (the day sheet, a therapist's schedule),
asked of the patients service in one batched call per page (`PatientsClient.lookup`), never
one call per appointment.

A front desk needs its day sheet most when something is wrong: if the patients service is
down, too slow or answers nonsense, the page is answered without names (`patient_name` null,
`patient_names: "unavailable"`), never a 503. Administrators manage the clinic, not patients'
records (the patients service shows them none), so their lists carry no names (`"withheld"`)
and nothing is asked.
"""

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from services.common.auth import Caller
from services.common.errors import BadGateway, DependencyUnavailable
from services.scheduling.clients import PatientsClient

NamesShown = Literal["shown", "unavailable", "withheld"]
log = logging.getLogger("clinic.scheduling.names")


@dataclass(frozen=True, slots=True)
class PageNames:
    """The display name of each patient of a page, and whether names could be shown."""

    shown: NamesShown
    by_patient: dict[uuid.UUID, str] = field(default_factory=dict)

    def of(self, patient_id: uuid.UUID) -> str | None:
        return self.by_patient.get(patient_id)


async def names_for_page(
    patients: PatientsClient, patient_ids: Collection[uuid.UUID], *, caller: Caller
) -> PageNames:
    """The names of the page's patients, in one call; none for an admin, none (said so) when
    the patients service cannot answer."""
    if caller.role == "admin":
        return PageNames("withheld")
    if not patient_ids:
        return PageNames("shown")
    try:
        found = await patients.lookup(patient_ids)
    except (DependencyUnavailable, BadGateway) as failure:
        log.warning("day sheet without names: %s", failure.detail)
        return PageNames("unavailable")
    return PageNames("shown", {pid: patient.display_name for pid, patient in found.items()})
