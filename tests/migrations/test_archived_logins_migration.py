"""Migration a6ddc9c04d9c disables the logins archived patients kept before issue 6's fix."""

import asyncio
import uuid
from datetime import UTC, datetime

from alembic import command

from ops.migrate import alembic_config
from tests.migrations.raw_sql import run_sql

BEFORE, FIX = "7700f66fa1c4", "a6ddc9c04d9c"

_PATIENT = """
INSERT INTO patients.patient (id, given_name, family_name, birth_date, sex, home_location,
    diagnoses, status, archived_at, archive_reason, version, created_at, updated_at,
    family_key, given_key, preferred_key)
VALUES (:id, 'Ana', 'Left-Behind', '1980-01-01', 'female', 'gaithersburg', '[]', :status,
    :archived_at, :reason, 1, now(), now(), 'left-behind', 'ana', '')
"""
_LOGIN = """
INSERT INTO patients.user_account (id, email, display_name, role, password_hash, patient_id,
    password_changed_at, created_at)
VALUES (:id, :email, 'Ana', 'patient', 'x', :patient_id, now(), now())
"""
_REFRESH = """
INSERT INTO patients.refresh_token (id, user_id, family_id, token_hash, expires_at,
    family_expires_at, created_at)
VALUES (:id, :user_id, :family_id, :hash, now() + interval '1 hour',
    now() + interval '1 hour', now())
"""


async def _patient_with_login(url: str, status: str) -> uuid.UUID:
    patient_id, login_id = uuid.uuid4(), uuid.uuid4()
    archived = status == "archived"
    await run_sql(
        url,
        _PATIENT,
        id=patient_id,
        status=status,
        archived_at=datetime.now(UTC) if archived else None,
        reason="moved" if archived else None,
    )
    await run_sql(url, _LOGIN, id=login_id, email=f"{login_id}@example.com", patient_id=patient_id)
    await run_sql(
        url,
        _REFRESH,
        id=uuid.uuid4(),
        family_id=uuid.uuid4(),
        user_id=login_id,
        hash=uuid.uuid4().hex,
    )
    return login_id


async def _state(url: str, login_id: uuid.UUID) -> tuple[bool, bool]:
    """(login disabled, its refresh token revoked)"""
    ((disabled, revoked),) = await run_sql(
        url,
        "SELECT a.disabled_at IS NOT NULL, r.revoked_at IS NOT NULL FROM patients.user_account a "
        "JOIN patients.refresh_token r ON r.user_id = a.id WHERE a.id = :id",
        id=login_id,
    )
    return disabled, revoked


async def test_archived_patients_logins_are_disabled_and_their_sessions_revoked(empty_database):
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, BEFORE)
    archived = await _patient_with_login(empty_database, "archived")
    active = await _patient_with_login(empty_database, "active")

    await asyncio.to_thread(command.upgrade, config, FIX)

    assert await _state(empty_database, archived) == (True, True)
    assert await _state(empty_database, active) == (False, False)
    await asyncio.to_thread(command.downgrade, config, BEFORE)  # nothing to undo: a data fix
