"""When the client tries a request again, and how long it waits first.

A request is tried again only when sending it twice cannot do twice what it asks: a GET,
PUT or DELETE (idempotent by HTTP's rules), or a POST carrying an Idempotency-Key (the
client makes one per call and sends the same one on every try, so the service answers a
repeat with its first answer and does nothing more). Any other POST is sent once.

It is tried again after a transport error (no connection, a timeout, a connection broken
off) and after a 503, which the services answer when their database or another service is
down, with Retry-After. Retry-After is honoured up to `max_retry_after`; a longer one ends
the call at once (ServiceUnavailable with its `retry_after`, for the caller to decide).
Otherwise the waits grow exponentially from `backoff` up to `max_backoff`, with jitter.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRIED_STATUS = 503


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard one call tries. `attempts` counts the first try too (1: never retry)."""

    attempts: int = 4
    backoff: float = 0.25
    max_backoff: float = 4.0
    max_retry_after: float = 30.0

    def wait(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before try number attempt + 1, or None: give up."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (jitter, not secrecy)


NEVER = RetryPolicy(attempts=1)


@dataclass(frozen=True, slots=True)
class Retry:
    """One retry about to happen, as `on_retry` hears of it (a command line shows it)."""

    method: str
    url: str
    attempt: int
    wait: float
    reason: str


RetryListener = Callable[[Retry], None]


def replayable(method: str, *, keyed: bool) -> bool:
    """Sending this request twice does what sending it once does (`keyed`: it carries an
    Idempotency-Key)."""
    return method in IDEMPOTENT_METHODS or keyed
