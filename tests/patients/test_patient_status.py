"""The service-only patient status (`GET /v1/patients/{id}/status`): plans and scheduling ask
it before they write anything for a patient, as themselves, since an admin's token cannot
read patient records. It answers the id and the status only, and only to services."""

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from services.common.columns import utcnow
from services.patients.models import AuditEvent
from tests.factories import bearer, headers_for, make_patient


def _service(apps, name: str = "plans") -> dict[str, str]:
    signer = apps["patients"].state.signer
    return bearer(signer.service_token(service=name, lifetime=timedelta(minutes=5)))


@pytest.mark.parametrize("service", ["plans", "scheduling"])
async def test_a_service_reads_an_active_patients_status(patients_api, apps, db, service):
    patient = await make_patient(db)
    response = await patients_api.get(
        f"/v1/patients/{patient.id}/status", headers=_service(apps, service)
    )
    assert response.status_code == 200
    assert response.json() == {"id": str(patient.id), "status": "active"}


async def test_an_archived_patient_answers_archived(patients_api, apps, db):
    patient = await make_patient(db, status="archived", archived_at=utcnow(), archive_reason="x")
    response = await patients_api.get(f"/v1/patients/{patient.id}/status", headers=_service(apps))
    assert response.json() == {"id": str(patient.id), "status": "archived"}


async def test_an_unknown_patient_is_404(patients_api, apps):
    response = await patients_api.get(f"/v1/patients/{uuid.uuid4()}/status", headers=_service(apps))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["patient", "front_desk", "therapist", "admin"])
async def test_user_tokens_are_refused(patients_api, apps, db, role):
    patient = await make_patient(db)
    response = await patients_api.get(
        f"/v1/patients/{patient.id}/status", headers=await headers_for(db, apps, role)
    )
    assert response.status_code == 403
    assert patient.family_name not in response.text


async def test_each_answer_is_on_the_patients_trail(patients_api, apps, db):
    patient = await make_patient(db)
    await patients_api.get(f"/v1/patients/{patient.id}/status", headers=_service(apps))
    rows = (await db.exec(select(AuditEvent).where(AuditEvent.patient_id == patient.id))).all()
    assert [(r.action, r.actor_role) for r in rows] == [("patient.status", "service")]
