"""Finding a record from what a person types: an id, or a name that matches exactly one.

`--patient "Dana Okafor"` searches active patients by name (as the front desk's search does)
and takes the one match; none is "not found" (exit 4), several is a usage error (exit 2)
that lists them, so the person can give the id instead.
"""

from itertools import islice
from uuid import UUID

from clinic_client import Clinic
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.models.patients import PatientRead

SHOWN_MATCHES = 5


def as_uuid(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except ValueError:
        return None


def patient(clinic: Clinic, given: str) -> PatientRead:
    """The patient with this id, or the one active patient whose names match."""
    if (patient_id := as_uuid(given)) is not None:
        return clinic.patients.read(patient_id)
    matches = list(
        islice(clinic.patients.search(given, page_size=SHOWN_MATCHES + 1), SHOWN_MATCHES + 1)
    )
    if not matches:
        raise CommandFailed(f"No active patient's name matches {given!r}.", ExitStatus.NOT_FOUND)
    if len(matches) > 1:
        listed = "\n".join(
            f"  {p.id}  {full_name(p)}, born {p.birth_date}" for p in matches[:SHOWN_MATCHES]
        )
        more = "\n  ..." if len(matches) > SHOWN_MATCHES else ""
        raise CommandFailed(
            f"Several patients match {given!r}; give the id:\n{listed}{more}", ExitStatus.USAGE
        )
    return matches[0]


def full_name(patient: PatientRead) -> str:
    preferred = f" ({patient.preferred_name})" if patient.preferred_name else ""
    return f"{patient.given_name} {patient.family_name}{preferred}"


def short_id(value: UUID | str) -> str:
    """The first block of an id: enough to tell rows apart on one screen (`--json` has all)."""
    return str(value).split("-")[0]
