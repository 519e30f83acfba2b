"""Closed-loop load: N workers share one client (httpx or raw); bounded by time and by count."""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import httpx

from bench.cpu import CpuMeter, CpuUse
from bench.rawhttp import RawClient

Engine = Literal["httpx", "raw"]
Client = httpx.AsyncClient | RawClient


class Answer(Protocol):
    @property
    def status_code(self) -> int: ...


# One request of a scenario: sends it with the shared client and returns the answer.
Send = Callable[[Client], Awaitable[Answer]]

MAX_REQUESTS = 2_000_000  # a hard bound besides the clock, so no loop can run away


@dataclass
class Tally:
    """What the workers saw: latencies of every answered request, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    requests: int = 0

    @property
    def errors(self) -> int:
        failed = sum(n for status, n in self.statuses.items() if not 200 <= status < 300)
        return failed + sum(self.exceptions.values())


@dataclass(frozen=True)
class Result:
    """The figures of one scenario run."""

    name: str
    seconds: float
    concurrency: int
    tally: Tally
    cpu: CpuUse

    @property
    def rate(self) -> float:
        return self.tally.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        return percentile_ms(self.tally.latencies, fraction)


def percentile_ms(latencies: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of latencies in seconds, in milliseconds (NaN when none)."""
    ordered = sorted(latencies)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank] * 1000


def make_client(concurrency: int, engine: Engine = "httpx", timeout: float = 10.0) -> Client:
    """The one client all workers share: a keep-alive pool as large as the concurrency."""
    if engine == "raw":
        return RawClient(timeout=timeout)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False)


async def _one(client: Client, send: Send, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        response = await send(client)
    except (httpx.HTTPError, OSError) as exc:
        tally.exceptions[type(exc).__name__] += 1
        return
    finally:
        tally.requests += 1
    tally.latencies.append(time.perf_counter() - started)
    tally.statuses[response.status_code] += 1


async def _worker(client: Client, send: Send, tally: Tally, deadline: float) -> None:
    while time.monotonic() < deadline and tally.requests < MAX_REQUESTS:
        await _one(client, send, tally)


async def run_closed_loop(
    name: str, client: Client, send: Send, *, seconds: float, concurrency: int
) -> Result:
    """Keep `concurrency` requests in flight for `seconds` (then let those in flight finish)."""
    tally, meter = Tally(), CpuMeter()
    started = time.monotonic()
    deadline = started + seconds
    workers = [_worker(client, send, tally, deadline) for _ in range(concurrency)]
    await asyncio.gather(*workers)
    elapsed = time.monotonic() - started
    return Result(name, elapsed, concurrency, tally, meter.stop())
