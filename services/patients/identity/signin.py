"""Signing in: password checks under the throttle, rotating refresh tokens, and pruning.

A password is checked only after the attempt is counted (`throttle.reserve`, committed at
once in a transaction of its own), so parallel guesses cannot outrun the count, and no count
stays locked through the check. Outcomes that must be remembered even though the answer is
401 (a failure counted, a stolen refresh token's family revoked) are returned, not raised, so
the request's transaction commits them.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.common.columns import utcnow
from services.common.database import OwnTransaction
from services.common.errors import TooManyRequests
from services.patients import audit
from services.patients.identity import throttle
from services.patients.identity.passwords import verify_password
from services.patients.models import AuditEvent, RefreshToken, UserAccount
from services.patients.settings import PatientsSettings

THROTTLED = "Too many failed sign-ins; wait before trying again."
# Dead rows are deleted by one successful sign-in in this many, a bounded batch at a time
# (and by `clinic-admin prune`), so no job has to be scheduled for it.
PRUNE_ONE_SIGN_IN_IN = 100
PRUNE_BATCH = 500


async def count_attempt(
    own_transaction: OwnTransaction,
    *,
    email: str,
    origin: audit.Origin,
    refused: AuditEvent,
    refusal: str = THROTTLED,
) -> list[throttle.Key]:
    """Count a password attempt before its password is checked, or refuse it (429, keeping
    the `refused` audit row). The keys it counted under, for `throttle.forgive`."""
    keys = throttle.keys_for(email, origin.client_ip)
    try:
        await throttle.reserve(own_transaction, keys, now=utcnow(), refusal=refusal)
    except TooManyRequests as throttled:
        raise throttled.keeping(refused) from None
    return keys


async def password_matches(password_hash: str | None, password: str) -> bool:
    """With no hash (no such account) a dummy one is checked, so a miss costs what a hit costs."""
    return await run_in_threadpool(verify_password, password_hash, password)


async def sign_in(
    session: AsyncSession,
    own_transaction: OwnTransaction,
    *,
    email: str,
    password: str,
    origin: audit.Origin,
) -> UserAccount | None:
    """The account, or None (the failure counted and audited) when the credentials do not
    hold. A disabled account's password is not even compared: it always fails. The attempt
    is counted before the request's session takes a connection, so a sign-in never waits for
    a second pooled connection while holding one."""
    email = email.strip().lower()
    attempt: dict[str, Any] = {"action": "auth.sign_in", "origin": origin}
    refused = audit.event(
        **attempt, outcome="denied", detail={"email": email, "reason": "throttled"}
    )
    keys = await count_attempt(own_transaction, email=email, origin=origin, refused=refused)
    statement = select(UserAccount).where(UserAccount.email == email)
    account = (await session.exec(statement)).one_or_none()
    usable = account if account is not None and account.disabled_at is None else None
    holds = await password_matches(usable.password_hash if usable else None, password)
    if usable is None or not holds:
        actor = account.id if account else None  # only when the email exists
        await audit.record(
            session, **attempt, outcome="failure", actor_user_id=actor, detail={"email": email}
        )
        return None
    await throttle.forgive(session, keys)
    await audit.record(session, **attempt, actor_user_id=usable.id, actor_role=usable.role)
    if secrets.randbelow(PRUNE_ONE_SIGN_IN_IN) == 0:
        await prune(session, now=utcnow(), batch=PRUNE_BATCH)
    return usable


async def lift_lock(session: AsyncSession, *, email: str) -> bool:
    """Forget an account's failed sign-ins from every address (an operator's unlock)."""
    return await throttle.forget_account(session, email=email)


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
            # The clock that sets sessions_valid_after, so the two compare.
            created_at=now,
        )
    )
    await session.flush()
    return raw


async def _locked_token(
    session: AsyncSession, digest: str
) -> tuple[RefreshToken, UserAccount] | None:
    """The token and its account, both locked: the account first (shared), as a password
    change or a disable takes it before revoking. Either that change waits for this refresh
    and then revokes the rotated token too, or this refresh waits for the change and sees it."""
    by_digest = col(RefreshToken.token_hash) == digest
    user_id = (await session.exec(select(RefreshToken.user_id).where(by_digest))).one_or_none()
    if user_id is None:
        return None
    account_query = select(UserAccount).where(UserAccount.id == user_id)
    account = (await session.exec(account_query.with_for_update(read=True))).one_or_none()
    token = (await session.exec(select(RefreshToken).where(by_digest).with_for_update())).first()
    if account is None or token is None:  # deleted meanwhile
        return None
    return token, account


async def _family_began_before(
    session: AsyncSession, token: RefreshToken, moment: datetime
) -> bool:
    statement = select(func.min(RefreshToken.created_at)).where(
        RefreshToken.family_id == token.family_id
    )
    began = (await session.exec(statement)).one()
    return began is None or began < moment


async def redeem_refresh_token(
    session: AsyncSession, *, raw: str, settings: PatientsSettings, origin: audit.Origin
) -> tuple[UserAccount, str] | None:
    """Trade a refresh token for its account and a new one; None when it is not good: used
    or revoked (then its family is revoked: it was stolen), expired, of a disabled account,
    or of a sign-in older than the account's last password change, reset or disable."""
    now = utcnow()
    found = await _locked_token(session, _digest(raw))
    if found is None:
        return None
    token, account = found
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
    if (
        now >= min(token.expires_at, token.family_expires_at)
        or account.disabled_at is not None
        or await _family_began_before(session, token, account.sessions_valid_after)
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


async def end_sessions(session: AsyncSession, account: UserAccount) -> None:
    """End every session of the account (a password change or reset, a disable): revoke its
    refresh tokens, and refuse for good any sign-in before now, so a token the revocation
    missed stays dead even once the account is enabled again."""
    now = utcnow()
    account.sessions_valid_after = now
    session.add(account)  # flushed (locking the account row) before the tokens are revoked
    await session.exec(
        update(RefreshToken)
        .where(RefreshToken.user_id == account.id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=now)
    )


# -- pruning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pruned:
    refresh_tokens: int
    sign_in_counts: int


# A family goes only once all of it is dead: a used token is kept while its family lives, so
# presenting it again is still recognised as a theft and revokes the family.
_PRUNE_TOKENS = text(
    """
    DELETE FROM patients.refresh_token WHERE id IN (
        SELECT id FROM patients.refresh_token WHERE family_expires_at <= :now
         LIMIT :batch FOR UPDATE SKIP LOCKED)
    """
)


async def prune(session: AsyncSession, *, now: datetime, batch: int) -> Pruned:
    """Delete up to `batch` refresh tokens of families past their absolute limit and up to
    `batch` stale sign-in counts. Rows another request holds are skipped, not waited for."""
    params = {"now": now, "batch": batch}
    tokens = (await session.exec(_PRUNE_TOKENS, params=params)).rowcount  # type: ignore[attr-defined]
    counts = await throttle.forget_stale(session, now=now, batch=batch)
    return Pruned(refresh_tokens=tokens, sign_in_counts=counts)
