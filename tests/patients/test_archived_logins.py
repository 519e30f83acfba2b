"""An archived patient never keeps or regains a login (issue 6).

Archiving and creating the login both lock the patient's row first, so whichever comes second
sees what the first did: a login created first is disabled by the archive; a login asked for
after the archive is refused (409). Enabling an archived patient's login is refused too, and
an enable racing the archive takes the same lock: it lands first and is undone, or is refused.
"""

import asyncio
import uuid

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.columns import utcnow
from services.common.errors import Conflict
from services.patients.identity import accounts
from services.patients.models import AuditEvent, Patient, UserAccount
from tests.factories import bearer, headers_for, make_account, make_patient, token_for

STRONG = "a-long-unusual-passphrase-9"
RACES = 15


async def _archived_patient(db: AsyncSession) -> Patient:
    return await make_patient(db, status="archived", archived_at=utcnow(), archive_reason="moved")


async def test_an_admin_cannot_enable_an_archived_patients_login(patients_api, db, apps):
    login = await make_account(
        db, role="patient", patient=await _archived_patient(db), disabled_at=utcnow()
    )
    admin = await headers_for(db, apps, "admin")

    response = await patients_api.post(f"/v1/users/{login.id}/enable", headers=admin)

    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "archived" in response.json()["detail"]
    await db.refresh(login)
    assert login.disabled_at is not None
    enabled = select(AuditEvent).where(
        AuditEvent.action == "user.enable", AuditEvent.entity_id == str(login.id)
    )
    assert (await db.exec(enabled)).first() is None


async def test_an_active_patients_login_can_still_be_enabled(patients_api, db, apps):
    login = await make_account(db, role="patient", disabled_at=utcnow())
    admin = await headers_for(db, apps, "admin")
    response = await patients_api.post(f"/v1/users/{login.id}/enable", headers=admin)
    assert response.status_code == 200 and response.json()["disabled_at"] is None


async def _login_of(db: AsyncSession, patient_id: uuid.UUID) -> UserAccount | None:
    statement = (
        select(UserAccount)
        .where(col(UserAccount.patient_id) == patient_id)
        .execution_options(populate_existing=True)
    )
    return (await db.exec(statement)).one_or_none()


async def test_archive_racing_the_login_never_leaves_an_enabled_login(
    committed_apis, committed_db, apps
):
    api = committed_apis["patients"]
    desk = bearer(token_for(apps, await make_account(committed_db, role="front_desk")))
    outcomes = []
    for race in range(RACES):
        patient = await make_patient(committed_db, family_name=f"Race-{uuid.uuid4().hex[:8]}")
        email = f"race-{race}-{uuid.uuid4().hex[:8]}@example.com"
        archive, login = await asyncio.gather(
            api.post(f"/v1/patients/{patient.id}/archive", json={"reason": "moved"}, headers=desk),
            api.post(
                f"/v1/patients/{patient.id}/account",
                json={"email": email, "password": STRONG},
                headers=desk,
            ),
        )
        assert archive.status_code == 200, archive.text
        account = await _login_of(committed_db, patient.id)
        if login.status_code == 201:  # the login came first, then the archive disabled it
            assert account is not None and account.disabled_at is not None, race
        else:  # the archive came first: no login at all
            assert login.status_code == 409, login.text
            assert account is None, race
        outcomes.append(login.status_code)
    assert len(outcomes) == RACES and set(outcomes) <= {201, 409}


async def _patient_of(db: AsyncSession, patient_id: uuid.UUID) -> Patient:
    statement = select(Patient).where(Patient.id == patient_id)
    return (await db.exec(statement.execution_options(populate_existing=True))).one()


async def _archive_detail(db: AsyncSession, patient_id: uuid.UUID) -> dict:
    statement = select(AuditEvent.detail).where(
        AuditEvent.action == "patient.archive", AuditEvent.patient_id == patient_id
    )
    return (await db.exec(statement)).one()


async def test_archive_racing_an_enable_never_leaves_an_enabled_login(
    committed_apis, committed_db, apps
):
    """An archive and an admin's enable of the patient's disabled login, at the same time:
    either the enable comes first and the archive disables the login again, or the archive
    comes first and the enable is refused. Never an archived patient with a working login."""
    api = committed_apis["patients"]
    desk = bearer(token_for(apps, await make_account(committed_db, role="front_desk")))
    admin = bearer(token_for(apps, await make_account(committed_db, role="admin")))
    for race in range(RACES):
        patient = await make_patient(committed_db, family_name=f"Race-{uuid.uuid4().hex[:8]}")
        login = await make_account(
            committed_db, role="patient", patient=patient, disabled_at=utcnow()
        )
        archive, enable = await asyncio.gather(
            api.post(f"/v1/patients/{patient.id}/archive", json={"reason": "moved"}, headers=desk),
            api.post(f"/v1/users/{login.id}/enable", headers=admin),
        )
        pair = (archive.status_code, enable.status_code)
        assert pair in {(200, 200), (200, 409)}, (race, archive.text, enable.text)
        assert (await _patient_of(committed_db, patient.id)).status == "archived", race
        account = await _login_of(committed_db, patient.id)
        assert account is not None and account.disabled_at is not None, race
        enabled_first = enable.status_code == 200
        if enabled_first:  # the archive then disabled the login again
            assert enable.json()["disabled_at"] is None
        else:  # the archive came first; the enable was refused and changed nothing
            assert "archived" in enable.json()["detail"]
        assert (await _archive_detail(committed_db, patient.id))["login_disabled"] is enabled_first


async def test_the_operator_cannot_enable_an_archived_patients_login(db):
    login = await make_account(
        db, role="patient", patient=await _archived_patient(db), disabled_at=utcnow()
    )
    with pytest.raises(Conflict, match="archived"):  # clinic-admin enable-user
        await accounts.set_disabled_by_email(db, email=login.email, disabled=False)
    await db.refresh(login)
    assert login.disabled_at is not None
