"""Migration a4aadbbfe23d fills sessions_valid_after from what existing accounts already record."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from alembic import command

from ops.migrate import alembic_config
from tests.migrations.raw_sql import run_sql

BEFORE, AFTER = "a6ddc9c04d9c", "a4aadbbfe23d"
CHANGED = datetime(2026, 11, 1, tzinfo=UTC)
DISABLED = CHANGED + timedelta(days=3)

_STAFF = """
INSERT INTO patients.user_account (id, email, display_name, role, password_hash,
    disabled_at, password_changed_at, created_at)
VALUES (:id, :email, 'Sam', 'therapist', 'x', :disabled_at, :changed, :changed)
"""


async def _account(url: str, *, disabled_at: datetime | None) -> uuid.UUID:
    account_id = uuid.uuid4()
    email = f"{account_id}@clinic.example"
    await run_sql(url, _STAFF, id=account_id, email=email, disabled_at=disabled_at, changed=CHANGED)
    return account_id


async def _valid_after(url: str, account_id: uuid.UUID) -> datetime:
    sql = "SELECT sessions_valid_after FROM patients.user_account WHERE id = :id"
    ((moment,),) = await run_sql(url, sql, id=account_id)
    return moment


async def test_the_later_of_the_password_change_and_a_disable_in_force(empty_database):
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, BEFORE)
    enabled = await _account(empty_database, disabled_at=None)
    disabled = await _account(empty_database, disabled_at=DISABLED)

    await asyncio.to_thread(command.upgrade, config, AFTER)

    assert await _valid_after(empty_database, enabled) == CHANGED
    assert await _valid_after(empty_database, disabled) == DISABLED
    await asyncio.to_thread(command.downgrade, config, BEFORE)
