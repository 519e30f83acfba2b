"""Throttling password guesses (at sign-in and at a password change), in PostgreSQL so every
replica of the service shares the counts.

Each attempt counts under three keys, each with its own policy:

- `account:<email> from <address>`: one account from one address. Slows down, then locks for
  15 minutes. This is the guard against guessing, and it binds only the guesser's address.
- `account:<email>`: one account from anywhere. Only slows down, in waits of at most 30 s,
  so failures elsewhere can hold the real owner up for seconds, never lock them out.
- `client:<address>`: one address, every account. Thresholds high enough for a clinic's
  staff behind one NAT; it locks an address that sprays many accounts.

An attempt is counted BEFORE its password is checked (`reserve`), in a short transaction of
its own that commits at once: one upsert per key adds it, or refuses it while the key waits or
is locked. The upsert locks the key's row only for that transaction, so parallel attempts on
one key take turns at the count (parallel guesses cannot all pass a check that reads first
and counts later), yet no row stays locked through the slow password check: staff behind
one address sign in side by side. A right password then takes its attempt back (`forgive`,
in the request's transaction, just before it commits). Keys are always taken in one order,
so two attempts never deadlock.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.database import OwnTransaction
from services.common.errors import TooManyRequests
from services.patients.models import SignInThrottle


@dataclass(frozen=True)
class Policy:
    slow_after: int  # from this many failures on, each next try waits 2, 4, 8... seconds
    lock_after: int | None = None  # from this many on, locked for `lock`; None: never
    forgiven_by_success: bool = True  # a right password clears the count (else: only its own)
    window: timedelta = timedelta(minutes=15)  # counts restart this long after their first
    lock: timedelta = timedelta(minutes=15)
    # Short enough that a patient guesser still reaches the lock inside the window.
    longest_wait: timedelta = timedelta(seconds=30)

    def wait_after(self, failures: int) -> timedelta | None:
        if self.lock_after is not None and failures >= self.lock_after:
            return self.lock
        if failures >= self.slow_after:
            doublings = min(failures - self.slow_after + 1, 16)
            return min(timedelta(seconds=2**doublings), self.longest_wait)
        return None


PAIR = Policy(slow_after=3, lock_after=5)
ACCOUNT = Policy(slow_after=5)
CLIENT = Policy(slow_after=30, lock_after=50, forgiven_by_success=False)
STALE_AFTER = max(PAIR.window, ACCOUNT.window, CLIENT.window)


@dataclass(frozen=True)
class Key:
    name: str
    policy: Policy


def keys_for(email: str, address: str | None) -> list[Key]:
    """The keys one attempt counts under, in the one order every attempt takes them."""
    where = address or "unknown"
    keys = [
        Key(f"account:{email}", ACCOUNT),
        Key(f"account:{email} from {where}", PAIR),
        Key(f"client:{where}", CLIENT),
    ]
    return sorted(keys, key=lambda k: k.name)


_COUNT_ATTEMPT = text(
    """
    INSERT INTO patients.sign_in_throttle AS t (key, failures, window_started_at)
    VALUES (:key, 1, :now)
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < :window_start THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < :window_start
                                 THEN :now ELSE t.window_started_at END
    WHERE t.locked_until IS NULL OR t.locked_until <= :now
    RETURNING failures
    """
)


async def _count(session: AsyncSession, key: Key, now: datetime) -> int | None:
    """The key's failures with this attempt counted, or None while the key waits or is locked
    (the row is locked either way, until the transaction ends)."""
    params = {"key": key.name, "now": now, "window_start": now - key.policy.window}
    return (await session.exec(_COUNT_ATTEMPT, params=params)).scalar_one_or_none()


async def reserve(
    own_transaction: OwnTransaction, keys: list[Key], *, now: datetime, refusal: str
) -> None:
    """Count one attempt under every key before its password is checked, committed at once,
    or refuse it (429, nothing counted) while any key waits or is locked."""
    async with own_transaction() as session:
        counts = [await _count(session, key, now) for key in keys]
        refused = [key.name for key, count in zip(keys, counts, strict=True) if count is None]
        if refused:  # raised inside: the counts just added roll back
            raise TooManyRequests(refusal, retry_after=await _seconds_left(session, refused, now))
        for key, count in zip(keys, counts, strict=True):
            wait = key.policy.wait_after(count or 0)
            if wait is not None:
                await session.exec(
                    update(SignInThrottle)
                    .where(col(SignInThrottle.key) == key.name)
                    .values(locked_until=now + wait)
                )


async def _seconds_left(session: AsyncSession, names: list[str], now: datetime) -> int:
    statement = select(SignInThrottle.locked_until).where(col(SignInThrottle.key).in_(names))
    ends = [end for end in (await session.exec(statement)).all() if end is not None]
    return max(1, math.ceil(max((end - now).total_seconds() for end in ends)))


async def forgive(session: AsyncSession, keys: list[Key]) -> None:
    """The password was right: the attempt was no failure. Clear the account's counts; take
    the attempt back from the address's (any wait it set there goes with it: before this
    attempt the address was not waiting, or the attempt would have been refused)."""
    cleared = [key.name for key in keys if key.policy.forgiven_by_success]
    kept = [key.name for key in keys if not key.policy.forgiven_by_success]
    await session.exec(delete(SignInThrottle).where(col(SignInThrottle.key).in_(cleared)))
    await session.exec(
        update(SignInThrottle)
        .where(col(SignInThrottle.key).in_(kept))
        .values(failures=SignInThrottle.failures - 1, locked_until=None)
    )


async def forget_account(session: AsyncSession, *, email: str) -> bool:
    """Forget an account's failed attempts from every address (an operator's unlock). The
    account-wide key goes first: the order attempts take them in."""
    pairs = col(SignInThrottle.key).startswith(f"account:{email} from ", autoescape=True)
    forgotten = 0
    for where in (col(SignInThrottle.key) == f"account:{email}", pairs):
        forgotten += (await session.exec(delete(SignInThrottle).where(where))).rowcount
    return forgotten > 0


_FORGET_STALE = text(
    """
    DELETE FROM patients.sign_in_throttle WHERE key IN (
        SELECT key FROM patients.sign_in_throttle
         WHERE window_started_at < :window_start
           AND (locked_until IS NULL OR locked_until <= :now)
         LIMIT :batch FOR UPDATE SKIP LOCKED)
    """
)


async def forget_stale(session: AsyncSession, *, now: datetime, batch: int) -> int:
    """Delete up to `batch` counts that would restart at their next failure anyway. Rows an
    attempt holds are skipped, never waited for."""
    params = {"now": now, "window_start": now - STALE_AFTER, "batch": batch}
    return (await session.exec(_FORGET_STALE, params=params)).rowcount  # type: ignore[attr-defined]
