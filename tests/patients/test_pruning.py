"""Dead refresh tokens and stale throttle rows are deleted: now and then by a sign-in, and on
demand by `clinic-admin prune`. A family goes only once its absolute limit has passed, so a
replayed token is recognised (and its family revoked) for as long as the family could live."""

import asyncio
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ops.cli import main
from services.common.columns import utcnow
from services.common.settings import get_settings
from services.patients.identity import signin
from services.patients.models import RefreshToken, SignInThrottle
from tests.factories import PASSWORD, make_account


def token(user_id: uuid.UUID, *, family_ends_in: timedelta, idle_ends_in: timedelta):
    now = utcnow()
    return RefreshToken(
        user_id=user_id,
        family_id=uuid.uuid4(),
        token_hash=secrets.token_hex(32),
        expires_at=now + idle_ends_in,
        family_expires_at=now + family_ends_in,
    )


def throttle_row(key: str, *, started_ago: timedelta, locked_for: timedelta | None = None):
    now = utcnow()
    return SignInThrottle(
        key=key,
        failures=4,
        window_started_at=now - started_ago,
        locked_until=now + locked_for if locked_for is not None else None,
    )


async def seed_rows(db: AsyncSession, user_id: uuid.UUID, tag: str) -> dict[str, object]:
    """One row of each kind that must go, and of each that must stay."""
    rows = {
        "dead family": token(user_id, family_ends_in=-timedelta(minutes=1), idle_ends_in=-HOUR),
        "idle but family alive": token(user_id, family_ends_in=HOUR, idle_ends_in=-HOUR),
        "live": token(user_id, family_ends_in=HOUR, idle_ends_in=HOUR),
        "stale count": throttle_row(f"client:stale-{tag}", started_ago=HOUR),
        "stale count, lock over": throttle_row(
            f"client:over-{tag}", started_ago=HOUR, locked_for=-timedelta(minutes=5)
        ),
        "current count": throttle_row(f"client:current-{tag}", started_ago=timedelta(minutes=3)),
        "old count, still locked": throttle_row(
            f"client:locked-{tag}", started_ago=HOUR, locked_for=timedelta(minutes=5)
        ),
    }
    db.add_all(rows.values())
    await db.commit()
    return rows


HOUR = timedelta(hours=1)
GONE = {"dead family", "stale count", "stale count, lock over"}


async def remaining(db: AsyncSession, rows: dict[str, object]) -> set[str]:
    tokens = set((await db.exec(select(RefreshToken.id))).all())
    keys = set((await db.exec(select(SignInThrottle.key))).all())
    return {
        name
        for name, row in rows.items()
        if (row.id in tokens if isinstance(row, RefreshToken) else row.key in keys)
    }


async def test_a_sign_in_now_and_then_prunes(patients_api, db, monkeypatch):
    account = await make_account(db, role="therapist")
    rows = await seed_rows(db, account.id, uuid.uuid4().hex)
    monkeypatch.setattr(signin, "PRUNE_ONE_SIGN_IN_IN", 1)  # this sign-in is the one
    response = await patients_api.post(
        "/v1/auth/token", data={"username": account.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert await remaining(db, rows) == set(rows) - GONE


async def test_pruning_is_bounded(db):
    account = await make_account(db, role="therapist")
    dead = [token(account.id, family_ends_in=-HOUR, idle_ends_in=-HOUR) for _ in range(5)]
    db.add_all(dead)
    await db.commit()
    assert (await signin.prune(db, now=utcnow(), batch=3)).refresh_tokens == 3
    ids = {t.id for t in dead}
    left = (await db.exec(select(RefreshToken.id).where(col(RefreshToken.id).in_(ids)))).all()
    assert len(left) == 2


def _exit_status(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


async def test_clinic_admin_prune(committed_db, database_url, monkeypatch, capsys):
    account = await make_account(committed_db, role="therapist")
    rows = await seed_rows(committed_db, account.id, uuid.uuid4().hex)
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        status = await asyncio.get_running_loop().run_in_executor(None, _exit_status, ["prune"])
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert status == 0 and "refresh tokens" in out and "sign-in counts" in out
    assert await remaining(committed_db, rows) == set(rows) - GONE


async def test_refresh_token_families_are_found_through_an_index(engine: AsyncEngine):
    """Revoking a family (on a replayed token) and checking when it began look it up."""
    query = text(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'patients' "
        "AND indexname = 'ix_refresh_token_family_id'"
    )
    async with engine.connect() as conn:
        assert "(family_id)" in ((await conn.execute(query)).scalar_one_or_none() or "")
