"""`python -m bench --scenario account-check` (and `account-check-remote`): what the
per-request account check costs.

One throwaway stack, plus three more processes of the measured service started alike on its
database, signing key and client secrets: the check as configured by default (on, cached
5 s), the check off (`CLINIC_CHECK_ACCOUNTS=false`), and the check on but uncached
(`CLINIC_ACCOUNT_CHECK_SECONDS=0`, the worst case). `account-check` measures the patients
service (a database lookup on a miss) with patient-read (`GET /v1/patients/{id}` as the front
desk); `account-check-remote` measures plans (on a miss, a call to the stack's patients
service, `GET /v1/accounts/{id}/status`) with exercises (`GET /v1/exercises` as a therapist).
Each variant runs in turn, in rounds whose order rotates, so all three share the machine's
state and the data.
"""

import argparse
import asyncio
import contextlib
import ctypes
import dataclasses
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from bench import report
from bench.data import create_patients, sign_in_all
from bench.load import Result, Send, make_client, percentile_ms, run_closed_loop
from bench.scenarios import Fixture
from bench.scenarios import by_name as scenario_by_name
from bench.stack import Stack, free_ports

TARGET_PERCENT = 5.0
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Measured:
    """Which service's check is measured, with which closed-loop scenario."""

    name: str  # the scenario's name on the command line
    service: str  # the extra processes run services.<service>.main:app
    scenario: str  # a closed-loop scenario of bench.scenarios aimed at that service
    request: str
    measures: str


LOCAL = Measured(
    "account-check",
    "patients",
    "patient-read",
    "GET patients /v1/patients/{id}, check on / off",
    "the account check's cost on patient-read, same stack and data, interleaved rounds",
)
REMOTE = Measured(
    "account-check-remote",
    "plans",
    "exercises",
    "GET plans /v1/exercises, check on / off",
    "the remote account check's cost (plans asks patients), same stack, interleaved rounds",
)
CHECKS = (LOCAL, REMOTE)
NAMES = tuple(c.name for c in CHECKS)


def by_name(name: str) -> Measured:
    return next(c for c in CHECKS if c.name == name)


@dataclass(frozen=True)
class Variant:
    label: str
    env: dict[str, str]  # on top of what ops.run gives the measured service's process


DEFAULT = Variant("check on, cached 5 s (the default)", {})
OFF = Variant("check off", {"CLINIC_CHECK_ACCOUNTS": "false"})
UNCACHED = Variant(
    "check on, not cached (a lookup each request)", {"CLINIC_ACCOUNT_CHECK_SECONDS": "0"}
)
VARIANTS = (DEFAULT, OFF, UNCACHED)


@dataclass(frozen=True)
class Round:
    """One run of the scenario against one variant, and the CPU its process used meanwhile."""

    result: Result
    cpu_seconds: float

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / max(1, self.result.tally.requests)


@dataclass(frozen=True)
class CheckRun:
    measured: Measured
    rounds: dict[str, list[Round]]  # variant label -> one per round

    def median_rate(self, label: str) -> float:
        return statistics.median(r.result.rate for r in self.rounds[label])

    def median_cpu_ms(self, label: str) -> float:
        return statistics.median(r.cpu_ms_per_request for r in self.rounds[label])

    def cost_percent(self, label: str) -> float:
        """Throughput lost against the check off, in percent (median of the rounds)."""
        return 100 * (1 - self.median_rate(label) / self.median_rate(OFF.label))

    def cpu_cost_percent(self, label: str) -> float:
        """Service CPU per request added against the check off, in percent."""
        return 100 * (self.median_cpu_ms(label) / self.median_cpu_ms(OFF.label) - 1)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _service_env(stack: Stack, service: str, extra: dict[str, str]) -> dict[str, str]:
    """What ops.run gives the service's process (every client secret, as it does: plans
    reads `CLINIC_PLANS_CLIENT_SECRET`), for this stack's data folder."""
    secrets = json.loads((stack.data_dir / "service-clients.json").read_text())
    return {
        **os.environ,
        **secrets,
        **extra,
        "DATABASE_URL": stack.database_dsn(),
        "CLINIC_JWT_PRIVATE_KEY_FILE": str(stack.data_dir / "jwt-ed25519.pem"),
        "CLINIC_JWT_ISSUER": stack.url("patients"),  # so the stack's tokens are valid here
        "CLINIC_PATIENTS_URL": stack.url("patients"),
        "CLINIC_PLANS_URL": stack.url("plans"),
        "CLINIC_SCHEDULING_URL": stack.url("scheduling"),
        "CLINIC_SERVICE_NAME": service,
        "CLINIC_DEMO_PASSWORD": "",
    }


@contextlib.contextmanager
def extra_process(
    stack: Stack, root: Path, service: str, extra: dict[str, str]
) -> Iterator[tuple[int, int]]:
    """One more process of the service (one uvicorn worker, as in the stack); port and pid."""
    (port,) = free_ports(1)
    app = f"services.{service}.main:app"
    args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1"]
    args += ["--port", str(port), "--no-access-log", "--no-proxy-headers"]
    args += ["--log-config", str(root / "services/common/uvicorn_logging.json")]  # as ops.run
    log = open(stack.data_dir / f"{service}-{port}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603  (our own fixed command line)
        args,
        cwd=root,
        env=_service_env(stack, service, extra),
        stdout=log,
        stderr=log,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the extra process at {url} exited")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the extra process at {url} did not become ready")


Servers = dict[str, tuple[int, int]]  # variant label -> (port, pid)


async def _measure(
    measured: Measured, servers: Servers, stack: Stack, args: argparse.Namespace
) -> CheckRun:
    rng = random.Random(20261129)
    async with make_client(8) as client:
        tokens = await sign_in_all(client, stack)
        ids = await create_patients(client, stack, tokens.front_desk, args.patients, rng)
    scenario = scenario_by_name(measured.scenario)
    rounds: dict[str, list[Round]] = {v.label: [] for v in VARIANTS}
    for number in range(args.rounds):
        shift = number % len(VARIANTS)
        for variant in VARIANTS[shift:] + VARIANTS[:shift]:  # rotate the order each round
            port, pid = servers[variant.label]
            aimed = dataclasses.replace(stack, ports={**stack.ports, measured.service: port})
            fixture = Fixture(stack=aimed, tokens=tokens, patient_ids=ids, rng=rng)
            send = scenario.build(fixture)
            rounds[variant.label].append(await _run(send, variant, pid, args))
    return CheckRun(measured, rounds)


async def _run(send: Send, variant: Variant, pid: int, args: argparse.Namespace) -> Round:
    loop = {"concurrency": args.concurrency}
    async with make_client(args.concurrency, args.client) as client:
        if args.warmup:
            await run_closed_loop("warm-up", client, send, seconds=args.warmup, **loop)
        cpu_before = process_cpu_seconds(pid)
        result = await run_closed_loop(variant.label, client, send, seconds=args.seconds, **loop)
        done = Round(result, process_cpu_seconds(pid) - cpu_before)
    print(
        f"  {variant.label:<46} {result.rate:7,.0f} req/s  "
        f"{done.cpu_ms_per_request:5.2f} CPU ms/req  errors {result.tally.errors}",
        flush=True,
    )
    return done


def run_sync(measured: Measured, stack: Stack, root: Path, args: argparse.Namespace) -> CheckRun:
    """Each variant in a process of its own of the measured service, started the same way."""
    with contextlib.ExitStack() as processes:
        servers = {
            v.label: processes.enter_context(extra_process(stack, root, measured.service, v.env))
            for v in VARIANTS
        }
        return asyncio.run(_measure(measured, servers, stack, args))


def table(run: CheckRun) -> list[str]:
    count = len(next(iter(run.rounds.values())))
    rounds = " | ".join(f"round {n + 1}" for n in range(count))
    lines = [
        f"| Variant | req/s: {rounds} | median req/s | p50 ms | p99 ms | errors "
        "| throughput cost | CPU ms/req (median) | CPU cost |",
        "|---|" + "--:|" * (count + 7),
    ]
    for variant in VARIANTS:
        rounds_of = run.rounds[variant.label]
        latencies = [x for r in rounds_of for x in r.result.tally.latencies]
        per_round = " | ".join(f"{r.result.rate:,.0f}" for r in rounds_of)
        lines.append(
            f"| {variant.label} | {per_round} | {run.median_rate(variant.label):,.0f} "
            f"| {percentile_ms(latencies, 0.5):.1f} | {percentile_ms(latencies, 0.99):.1f} "
            f"| {sum(r.result.tally.errors for r in rounds_of)} "
            f"| {run.cost_percent(variant.label):+.1f} % "
            f"| {run.median_cpu_ms(variant.label):.2f} "
            f"| {run.cpu_cost_percent(variant.label):+.1f} % |"
        )
    return lines


def render(run: CheckRun, *, started: datetime, code: str, args: argparse.Namespace) -> str:
    cost, cpu = run.cost_percent(DEFAULT.label), run.cpu_cost_percent(DEFAULT.label)
    verdict = "met" if cost < TARGET_PERCENT else "NOT met"
    measured = run.measured
    return "\n".join(
        [
            f"# Account check cost ({measured.name})",
            "",
            *report.machine_lines(started),
            f"- Code measured: {code}",
            f"- Settings: {args.rounds} rounds of {args.seconds:g} s per variant after "
            f"{args.warmup:g} s warm-up, concurrency {args.concurrency}, {args.patients} "
            f"patients made first, load generator client: {args.client}",
            "",
            *table(run),
            "",
            f"Cost of the default check: {cost:.1f} % of {measured.scenario} throughput "
            f"(target under {TARGET_PERCENT:g} %: {verdict}); {cpu:+.1f} % CPU per request "
            f"in the {measured.service} process.",
            "",
        ]
    )
