"""The audit trail: one row per read or change of a patient record, with who, what, when,
from where and the request id; readable by admins; append-only in the database itself."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from services.patients.models import AuditEvent
from tests.factories import bearer, headers_for, make_account, make_patient, token_for


async def events_for(db, patient_id):
    statement = (
        select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.id)
    )
    return (await db.exec(statement)).all()


async def test_each_read_and_change_writes_one_row(patients_api, db, apps):
    desk = await make_account(db, role="front_desk")
    headers = bearer(token_for(apps, desk)) | {"X-Request-ID": "audit-1"}
    body = {
        "given_name": "Audit",
        "family_name": "Me",
        "birth_date": "1980-01-01",
        "sex": "other",
        "home_location": "columbia",
    }
    patient_id = (await patients_api.post("/v1/patients", json=body, headers=headers)).json()["id"]
    await patients_api.get(f"/v1/patients/{patient_id}", headers=headers)
    await patients_api.patch(
        f"/v1/patients/{patient_id}",
        json={"preferred_name": "Aud"},
        headers=headers | {"If-Match": '"1"'},
    )
    await patients_api.post(
        f"/v1/patients/{patient_id}/archive", json={"reason": "test"}, headers=headers
    )
    rows = await events_for(db, uuid.UUID(patient_id))
    assert [r.action for r in rows] == [
        "patient.create",
        "patient.read",
        "patient.update",
        "patient.archive",
    ]
    for row in rows:
        assert (row.actor_user_id, row.actor_role, row.outcome) == (
            desk.id,
            "front_desk",
            "success",
        )
        assert (row.action, row.client_ip, row.request_id) == (row.action, "127.0.0.1", "audit-1")
        assert row.occurred_at is not None
    assert rows[2].detail == {"fields": ["preferred_name"], "version": 2}


async def test_a_failed_change_leaves_no_audit_row(patients_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    patient = await make_patient(db)
    stale = await patients_api.patch(
        f"/v1/patients/{patient.id}",
        json={"preferred_name": "X"},
        headers=headers | {"If-Match": '"5"'},
    )
    assert stale.status_code == 412
    assert [r.action for r in await events_for(db, patient.id)] == []


async def test_searches_are_audited_with_their_filters(patients_api, db, apps):
    desk = await make_account(db, role="front_desk")
    await patients_api.get(
        "/v1/patients",
        params={"name": "smi", "birth_date": "1970-01-01"},
        headers=bearer(token_for(apps, desk)),
    )
    statement = select(AuditEvent).where(AuditEvent.actor_user_id == desk.id)
    (row,) = (await db.exec(statement)).all()
    assert row.action == "patient.search"
    assert row.detail["filters"] == {"name": "smi", "birth_date": "1970-01-01", "status": "active"}


async def test_admins_read_the_trail_of_a_patient_newest_first(patients_api, db, apps):
    headers = await headers_for(db, apps, "therapist")
    patient = await make_patient(db)
    for _ in range(3):
        await patients_api.get(f"/v1/patients/{patient.id}", headers=headers)
    admin = await headers_for(db, apps, "admin")
    page = await patients_api.get(
        "/v1/audit", params={"patient_id": str(patient.id), "limit": 2}, headers=admin
    )
    assert page.status_code == 200
    first = page.json()
    assert [e["action"] for e in first["items"]] == ["patient.read", "patient.read"]
    assert first["items"][0]["id"] > first["items"][1]["id"]
    rest = await patients_api.get(
        "/v1/audit",
        params={"patient_id": str(patient.id), "cursor": first["next_cursor"]},
        headers=admin,
    )
    assert len(rest.json()["items"]) == 1 and rest.json()["next_cursor"] is None
    # Reading the trail of a patient is itself on the trail.
    assert (await events_for(db, patient.id))[-1].action == "audit.read"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE patients.audit_event SET action = 'tampered'",
        "DELETE FROM patients.audit_event",
        "TRUNCATE patients.audit_event",
    ],
)
async def test_the_database_refuses_to_change_audit_rows(patients_api, db, apps, statement):
    headers = await headers_for(db, apps, "therapist")
    patient = await make_patient(db)
    await patients_api.get(f"/v1/patients/{patient.id}", headers=headers)
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.begin_nested():
            await db.exec(text(statement))
    assert [r.action for r in await events_for(db, patient.id)] == ["patient.read"]


async def test_refused_attempts_are_audited_as_denied(patients_api, db, apps):
    target = await make_patient(db)
    prober = await make_account(db, role="patient")
    admin = await make_account(db, role="admin")
    probe = await patients_api.get(
        f"/v1/patients/{target.id}", headers=bearer(token_for(apps, prober))
    )
    peek = await patients_api.get(
        f"/v1/patients/{target.id}", headers=bearer(token_for(apps, admin))
    )
    assert (probe.status_code, peek.status_code) == (404, 403)
    rows = await events_for(db, target.id)
    assert [(r.action, r.outcome, r.actor_user_id) for r in rows] == [
        ("patient.read", "denied", prober.id),
        ("patient.read", "denied", admin.id),
    ]
    assert rows[0].detail == {"status": 404}


async def test_a_patient_overstepping_their_contact_fields_is_audited(patients_api, db, apps):
    patient = await make_patient(db)
    token = bearer(token_for(apps, await make_account(db, role="patient", patient=patient)))
    response = await patients_api.patch(
        f"/v1/patients/{patient.id}",
        json={"birth_date": "2000-01-01"},
        headers=token | {"If-Match": "*"},
    )
    assert response.status_code == 403
    rows = await events_for(db, patient.id)
    assert [(r.action, r.outcome) for r in rows] == [("patient.update", "denied")]
    await db.refresh(patient)
    assert patient.version == 1


async def test_throttled_sign_ins_are_audited_as_denied(patients_api, db):
    for _ in range(4):
        last = await patients_api.post(
            "/v1/auth/token", data={"username": "nobody@clinic.example", "password": "x" * 12}
        )
    assert last.status_code == 429
    statement = (
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in").order_by(AuditEvent.id)
    )
    outcomes = [r.outcome for r in (await db.exec(statement)).all()][-4:]
    assert outcomes == ["failure", "failure", "failure", "denied"]
