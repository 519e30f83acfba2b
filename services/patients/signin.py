"""Signing in: throttled password checks and rotating refresh tokens.

Failed attempts are counted per account and per client address in PostgreSQL (so every
replica sees them). A few failures slow the next attempt down; more lock it for a while.
Outcomes that must be remembered even though the answer is 401 (a failure counted, a stolen
refresh token's family revoked) are returned, not raised, so the request's transaction
commits them.
"""

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.common.columns import utcnow
from services.common.errors import TooManyRequests
from services.patients import audit
from services.patients.models import RefreshToken, SignInThrottle, UserAccount
from services.patients.passwords import verify_password
from services.patients.settings import PatientsSettings


@dataclass(frozen=True)
class Policy:
    slow_after: int  # from this many failures on, each next try waits 2, 4, 8... seconds
    lock_after: int  # from this many on, locked for `lock`
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)
    # Waits stay short, so a patient attacker still reaches the lock inside the window.
    longest_wait_seconds: int = 30

    def lock_for(self, failures: int) -> timedelta | None:
        if failures >= self.lock_after:
            return self.lock
        if failures >= self.slow_after:
            seconds = min(2 ** (failures - self.slow_after + 1), self.longest_wait_seconds)
            return timedelta(seconds=seconds)
        return None


ACCOUNT_POLICY = Policy(slow_after=3, lock_after=5)
CLIENT_POLICY = Policy(slow_after=10, lock_after=20)
THROTTLED = "Too many failed sign-ins; wait before trying again."


def _keys(email: str, client_ip: str | None) -> list[tuple[str, Policy]]:
    keys = [(f"account:{email}", ACCOUNT_POLICY)]
    if client_ip:
        keys.append((f"client:{client_ip}", CLIENT_POLICY))
    return keys


async def _refuse_if_locked(session: AsyncSession, keys: list[str], now: datetime) -> None:
    statement = select(SignInThrottle).where(SignInThrottle.key.in_(keys))  # type: ignore[attr-defined]
    waits = [
        (row.locked_until - now).total_seconds()
        for row in (await session.exec(statement)).all()
        if row.locked_until and row.locked_until > now
    ]
    if waits:
        raise TooManyRequests(THROTTLED, retry_after=max(1, math.ceil(max(waits))))


_COUNT_FAILURE = text(
    """
    INSERT INTO patients.sign_in_throttle AS t (key, failures, window_started_at)
    VALUES (:key, 1, :now)
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < :window_start THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < :window_start
                                 THEN :now ELSE t.window_started_at END
    RETURNING failures
    """
)


async def _count_failure(session: AsyncSession, key: str, policy: Policy, now: datetime) -> None:
    params = {"key": key, "now": now, "window_start": now - policy.window}
    failures = (await session.exec(_COUNT_FAILURE, params=params)).scalar_one()
    lock = policy.lock_for(failures)
    if lock is not None:
        await session.exec(
            update(SignInThrottle).where(SignInThrottle.key == key).values(locked_until=now + lock)  # type: ignore[arg-type]
        )


async def sign_in(
    session: AsyncSession, *, email: str, password: str, origin: audit.Origin
) -> UserAccount | None:
    """The account, or None (after counting the failure) when the credentials do not hold."""
    email, now = email.strip().lower(), utcnow()
    keys = _keys(email, origin.client_ip)
    try:
        await _refuse_if_locked(session, [k for k, _ in keys], now)
    except TooManyRequests as throttled:
        detail = {"email": email, "reason": "throttled"}
        raise throttled.keeping(
            audit.event(action="auth.sign_in", outcome="denied", origin=origin, detail=detail)
        ) from None
    statement = select(UserAccount).where(UserAccount.email == email)
    account = (await session.exec(statement)).one_or_none()
    valid = await run_in_threadpool(
        verify_password, account.password_hash if account else None, password
    )
    if account is None or not valid or account.disabled_at is not None:
        for key, policy in keys:
            await _count_failure(session, key, policy, now)
        await audit.record(
            session,
            action="auth.sign_in",
            outcome="failure",
            origin=origin,
            actor_user_id=account.id if account else None,
            detail={"email": email},
        )
        return None
    await lift_lock(session, email=email)
    await audit.record(
        session,
        action="auth.sign_in",
        origin=origin,
        actor_user_id=account.id,
        actor_role=account.role,
    )
    return account


async def lift_lock(session: AsyncSession, *, email: str) -> bool:
    """Forget an account's failed sign-ins (after a success, or by an operator)."""
    statement = delete(SignInThrottle).where(col(SignInThrottle.key) == f"account:{email}")
    return bool((await session.exec(statement)).rowcount)


# -- refresh tokens ---------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def issue_refresh_token(
    session: AsyncSession,
    *,
    account: UserAccount,
    settings: PatientsSettings,
    family: RefreshToken | None = None,
) -> str:
    raw, now = secrets.token_urlsafe(32), utcnow()
    session.add(
        RefreshToken(
            user_id=account.id,
            family_id=family.family_id if family else uuid.uuid4(),
            token_hash=_digest(raw),
            expires_at=now + timedelta(minutes=settings.refresh_idle_minutes),
            family_expires_at=family.family_expires_at
            if family
            else now + timedelta(hours=settings.refresh_absolute_hours),
        )
    )
    await session.flush()
    return raw


async def redeem_refresh_token(
    session: AsyncSession, *, raw: str, settings: PatientsSettings, origin: audit.Origin
) -> tuple[UserAccount, str] | None:
    """Trade a refresh token for its account and a new one; None when it is not good."""
    now = utcnow()
    statement = (
        select(RefreshToken).where(RefreshToken.token_hash == _digest(raw)).with_for_update()
    )
    token = (await session.exec(statement)).one_or_none()
    if token is None:
        return None
    if token.used_at is not None or token.revoked_at is not None:
        await revoke_family(session, family_id=token.family_id, now=now)
        await audit.record(
            session,
            action="auth.refresh_reuse",
            outcome="denied",
            origin=origin,
            actor_user_id=token.user_id,
            detail={"family_id": str(token.family_id)},
        )
        return None
    account = await session.get(UserAccount, token.user_id)
    if (
        now >= min(token.expires_at, token.family_expires_at)
        or account is None
        or account.disabled_at
    ):
        return None
    token.used_at = now
    session.add(token)
    await audit.record(
        session,
        action="auth.refresh",
        origin=origin,
        actor_user_id=account.id,
        actor_role=account.role,
    )
    return account, await issue_refresh_token(
        session, account=account, settings=settings, family=token
    )


async def revoke_family(session: AsyncSession, *, family_id: uuid.UUID, now: datetime) -> None:
    await session.exec(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=now)
    )


async def revoke_all_for(session: AsyncSession, *, user_id: uuid.UUID) -> None:
    await session.exec(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=utcnow())
    )
