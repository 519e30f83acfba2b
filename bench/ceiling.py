"""Measuring a service against its ceiling (a bare FastAPI + asyncpg app giving the same
answer), shared by `me-plans` and `booking`: the ceiling as one more uvicorn process, rounds
with `--concurrency` in flight and the CPU each app and PostgreSQL spend per request, and one
more round under py-spy.

The ceiling runs with the flags `ops.run` gives the services (one worker, no access log, the
services' log config), always from this working tree.
"""

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil

from bench import profiling
from bench.load import Result, Send, make_client, run_closed_loop
from bench.stack import Stack, free_ports

BENCH_ROOT = Path(__file__).resolve().parents[1]  # the ceiling always runs from here
CEILING = "ceiling"


@dataclass(frozen=True)
class Target:
    """Where one of the two apps answers, and its process (for CPU time)."""

    label: str
    url: str
    pid: int


@dataclass(frozen=True)
class Round:
    result: Result
    cpu_seconds: float  # the target's process
    database_cpu_seconds: float  # PostgreSQL's processes
    connections_opened: int  # new database sessions while it ran (pool churn)

    def per_request_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(1, self.result.tally.requests)


@dataclass(frozen=True)
class Rounds:
    """Every in-flight round of each app (label -> one per round), and the profiles."""

    by_app: dict[str, list[Round]]
    profiles: list[profiling.Profile]

    def median_rate(self, label: str) -> float:
        return statistics.median(r.result.rate for r in self.by_app[label])

    def median_cpu_ms(self, label: str, *, database: bool = False) -> float:
        return statistics.median(
            r.per_request_ms(r.database_cpu_seconds if database else r.cpu_seconds)
            for r in self.by_app[label]
        )

    def ratio(self, service: str) -> float:
        return self.median_rate(service) / self.median_rate(CEILING)

    def cpu_ratio(self, service: str) -> float:
        """The throughput ratio the two apps' CPU per request allow, each on one core."""
        return self.median_cpu_ms(CEILING) / self.median_cpu_ms(service)


# -- the processes ---------------------------------------------------------------------------


def listening_pid(port: int) -> int:
    """The process listening on a loopback port (one of the stack's services)."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == "LISTEN" and conn.pid:
            return conn.pid
    raise RuntimeError(f"nothing listens on port {port}")


def service_target(stack: Stack, service: str, label: str) -> Target:
    return Target(label, stack.url(service), listening_pid(stack.ports[service]))


def database_cpu_seconds(stack: Stack) -> float:
    """CPU time PostgreSQL has used so far: the server, its live processes, and the backends
    that have exited (the server reaps them, so their time is in its children's). A backend
    opened and closed within a round counts too: a service's pool replaces some of its
    connections under load."""
    pid_file = stack.data_dir / "postgres" / "pgdata" / "postmaster.pid"
    server = psutil.Process(int(pid_file.read_text().split()[0]))
    own = server.cpu_times()
    total = own.user + own.system + own.children_user + own.children_system
    return total + cpu_seconds(server.children(recursive=True))


def cpu_seconds(processes: Sequence[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


@contextlib.contextmanager
def ceiling_process(stack: Stack, app: str, env: Mapping[str, str]) -> Iterator[Target]:
    """The ceiling app (`module:attribute`), one uvicorn worker with the flags ops.run gives
    the services, its environment `env` on top of ours."""
    (port,) = free_ports(1)
    args = [sys.executable, "-m", "uvicorn", app]
    args += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--no-proxy-headers"]
    args += ["--log-config", str(BENCH_ROOT / "services/common/uvicorn_logging.json")]
    log = open(stack.data_dir / "ceiling.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603  (our own fixed command line)
        args,
        cwd=BENCH_ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url)
        yield Target(CEILING, url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the ceiling app exited; see ceiling.log")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("the ceiling app did not start")


# -- comparing and measuring -----------------------------------------------------------------


def json_differences(left: object, right: object, where: str = "$") -> list[str]:
    """Where two JSON documents differ (first few), ignoring the order of object keys."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = [f"{where}.{k}: only in one" for k in left.keys() ^ right.keys()]
        for key in left.keys() & right.keys():
            found += json_differences(left[key], right[key], f"{where}.{key}")
        return found[:10]
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{where}: {len(left)} items against {len(right)}"]
        pairs = zip(left, right, strict=True)
        return [
            d for i, (a, b) in enumerate(pairs) for d in json_differences(a, b, f"{where}[{i}]")
        ]
    return [] if left == right else [f"{where}: {left!r:.60} against {right!r:.60}"]


async def in_flight(stack: Stack, target: Target, send: Send, args: argparse.Namespace) -> Round:
    """One round with `--concurrency` in flight, and the CPU the app and PostgreSQL used."""
    loop = {"concurrency": args.concurrency}
    process = psutil.Process(target.pid)
    async with make_client(args.concurrency, args.client) as client:
        if args.warmup:
            await run_closed_loop("warm-up", client, send, seconds=args.warmup, **loop)
        opened = await sessions_opened(stack)
        own, db = cpu_seconds([process]), database_cpu_seconds(stack)
        result = await run_closed_loop(target.label, client, send, seconds=args.seconds, **loop)
        cpu_after, db_after = cpu_seconds([process]), database_cpu_seconds(stack)
        # Less one: the connection that reads the count.
        opened = await sessions_opened(stack) - opened - 1
        done = Round(result, cpu_after - own, db_after - db, opened)
    print(
        f"  {target.label:<14} {result.rate:7,.0f} req/s  "
        f"{done.per_request_ms(done.cpu_seconds):5.2f} CPU ms/req  errors {result.tally.errors}",
        flush=True,
    )
    return done


async def sessions_opened(stack: Stack) -> int:
    """Sessions ever opened on the stack's database, as PostgreSQL counts them; waits a
    moment first, since the count is published at most once a second."""
    await asyncio.sleep(1.1)
    conn = await asyncpg.connect(stack.database_dsn())
    try:
        return int(
            await conn.fetchval(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            )
        )
    finally:
        await conn.close()


async def profiled(
    target: Target,
    send: Send,
    args: argparse.Namespace,
    steps: Sequence[tuple[str, str]] = profiling.STEPS,
) -> profiling.Profile:
    """One more round under the same load while py-spy samples the app (not in the figures:
    sampling slows it down)."""
    output = profiling.output_for(target.label)
    print(f"Profiling {target.label} for {args.seconds:g} s...", flush=True)
    async with make_client(args.concurrency, args.client) as client:
        recording = profiling.start_recording(target.pid, args.seconds, output)
        result = await run_closed_loop(
            "profile", client, send, seconds=args.seconds, concurrency=args.concurrency
        )
    print(f"  {target.label:<14} {result.rate:7,.0f} req/s under py-spy", flush=True)
    return await asyncio.to_thread(
        profiling.finish_recording, recording, target.label, output, steps
    )
