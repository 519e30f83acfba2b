"""An appointment as a FHIR R4 Appointment, and a patient's appointments as a `searchset`
Bundle (docs/fhir.md).

Built from the appointment as it is read in JSON (`AppointmentRead`: times already on the
clinic's clock, with its offset), never validated. The people are references to the
services that hold them (`Patient/<id>`, `Practitioner/<id>`), the clinic is
`Location/<slug>`. A visit of a plan of care points at it in `supportingInformation`: R4
allows only a ServiceRequest in `basedOn`.
"""

from dataclasses import dataclass

from services.common.fhir import Resource, bundled, reference
from services.scheduling.appointments.schemas import AppointmentRead

# Our statuses in the FHIR R4 value set appointmentstatus (tests/fhir_checks.py holds it).
APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "arrived",
    "completed": "fulfilled",
    "no_show": "noshow",
    "cancelled": "cancelled",
}
SERVICE = "Physical therapy"


@dataclass(frozen=True, slots=True)
class Names:
    """The names the front desk reads for slugs: appointment types and clinics."""

    types: dict[str, str]
    clinics: dict[str, str]


def appointment_resource(visit: AppointmentRead, names: Names) -> Resource:
    resource: Resource = {
        "resourceType": "Appointment",
        "id": str(visit.id),
        "meta": {"versionId": str(visit.version), "lastUpdated": visit.updated_at.isoformat()},
        "status": APPOINTMENT_STATUS.get(visit.status, "entered-in-error"),
    }
    if visit.status == "cancelled" and visit.cancel_reason:
        resource["cancelationReason"] = {"text": visit.cancel_reason}
    resource |= {
        "serviceType": [{"text": SERVICE}],
        "appointmentType": {"text": names.types.get(visit.type, visit.type)},
    }
    if visit.plan_id is not None:
        resource["supportingInformation"] = [reference("CarePlan", visit.plan_id)]
    return resource | {
        "start": visit.start.isoformat(),
        "end": visit.end.isoformat(),
        "minutesDuration": visit.duration_minutes,
        "created": visit.created_at.isoformat(),
        "participant": _participants(visit, names),
    }


def _participants(visit: AppointmentRead, names: Names) -> list[Resource]:
    """The patient, the therapist and the clinic, each expected there and accepted."""
    actors = [
        reference("Patient", visit.patient_id),
        reference("Practitioner", visit.therapist_id),
        reference("Location", visit.location, names.clinics.get(visit.location)),
    ]
    return [{"actor": actor, "required": "required", "status": "accepted"} for actor in actors]


def searchset(resources: list[Resource], *, this_page: str, next_page: str | None) -> Resource:
    """One page of a search: each resource a match, and the link to the next page if any."""
    links = [{"relation": "self", "url": this_page}]
    if next_page is not None:
        links.append({"relation": "next", "url": next_page})
    bundle: Resource = {"resourceType": "Bundle", "type": "searchset", "link": links}
    entries = [
        {"fullUrl": bundled(r["id"]), "resource": r, "search": {"mode": "match"}} for r in resources
    ]
    return bundle | ({"entry": entries} if entries else {})
