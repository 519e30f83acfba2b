"""`python -m bench --scenario account-check`: what the per-request account check costs.

One throwaway stack, plus two more patients service processes on the same database, the
same signing key and the same client secrets, one with the check off
(`CLINIC_CHECK_ACCOUNTS=false`) and one with it on but uncached
(`CLINIC_ACCOUNT_CHECK_SECONDS=0`: a database lookup on every request, the worst case). The
patient-read scenario (`GET /v1/patients/{id}` as the front desk) runs against each in
turn, in rounds whose order rotates, so all three share the machine's state and the data.
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
from bench.scenarios import Fixture, by_name
from bench.stack import Stack, free_ports

NAME = "account-check"
REQUEST = "GET patients /v1/patients/{id}, check on / off"
MEASURES = "the account check's cost on patient-read, same stack and data, interleaved rounds"
ROUNDS = 3
TARGET_PERCENT = 5.0
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Variant:
    label: str
    env: dict[str, str] | None  # None: the stack's own patients process (default settings)


VARIANTS = (
    Variant("check on, cached 5 s (the default)", None),
    Variant("check off", {"CLINIC_CHECK_ACCOUNTS": "false"}),
    Variant("check on, not cached (a lookup each request)", {"CLINIC_ACCOUNT_CHECK_SECONDS": "0"}),
)


@dataclass(frozen=True)
class CheckRun:
    rounds: dict[str, list[Result]]  # variant label -> one result per round

    def median_rate(self, label: str) -> float:
        return statistics.median(r.rate for r in self.rounds[label])

    def cost_percent(self, label: str) -> float:
        """Throughput lost against the check off, in percent."""
        off = self.median_rate(VARIANTS[1].label)
        return 100 * (1 - self.median_rate(label) / off)


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _patients_env(stack: Stack, extra: dict[str, str]) -> dict[str, str]:
    """What ops.run gives its patients process, for this stack's data folder."""
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
        "CLINIC_SERVICE_NAME": "patients",
        "CLINIC_DEMO_PASSWORD": "",
    }


@contextlib.contextmanager
def extra_patients(stack: Stack, root: Path, extra: dict[str, str]) -> Iterator[int]:
    """One more patients process (one uvicorn worker, as in the stack); its port."""
    (port,) = free_ports(1)
    args = [sys.executable, "-m", "uvicorn", "services.patients.main:app", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--no-access-log", "--no-proxy-headers"]
    log = open(stack.data_dir / f"patients-{port}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603  (our own fixed command line)
        args,
        cwd=root,
        env=_patients_env(stack, extra),
        stdout=log,
        stderr=log,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the extra patients process at {url} exited")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the extra patients process at {url} did not become ready")


async def _measure(ports: dict[str, int], stack: Stack, args: argparse.Namespace) -> CheckRun:
    rng = random.Random(20261129)
    async with make_client(8) as client:
        tokens = await sign_in_all(client, stack)
        ids = await create_patients(client, stack, tokens.front_desk, args.patients, rng)
    read = by_name("patient-read")
    rounds: dict[str, list[Result]] = {v.label: [] for v in VARIANTS}
    for number in range(ROUNDS):
        for variant in VARIANTS[number:] + VARIANTS[:number]:  # rotate the order each round
            aimed = dataclasses.replace(
                stack, ports={**stack.ports, "patients": ports[variant.label]}
            )
            fixture = Fixture(stack=aimed, tokens=tokens, patient_ids=ids, rng=rng)
            rounds[variant.label].append(await _run(read.build(fixture), variant.label, args))
    return CheckRun(rounds)


async def _run(send: Send, label: str, args: argparse.Namespace) -> Result:
    loop = {"concurrency": args.concurrency}
    async with make_client(args.concurrency, args.client) as client:
        if args.warmup:
            await run_closed_loop("warm-up", client, send, seconds=args.warmup, **loop)
        result = await run_closed_loop(label, client, send, seconds=args.seconds, **loop)
    print(f"  {label:<48} {result.rate:8,.0f} req/s  errors {result.tally.errors}", flush=True)
    return result


def run_sync(stack: Stack, root: Path, args: argparse.Namespace) -> CheckRun:
    ports = {VARIANTS[0].label: stack.ports["patients"]}
    with contextlib.ExitStack() as processes:
        for variant in VARIANTS[1:]:
            assert variant.env is not None
            ports[variant.label] = processes.enter_context(extra_patients(stack, root, variant.env))
        return asyncio.run(_measure(ports, stack, args))


def table(run: CheckRun) -> list[str]:
    rounds = " | ".join(f"round {n + 1} req/s" for n in range(ROUNDS))
    lines = [
        f"| Variant | {rounds} | median req/s | p50 ms | p99 ms | errors | cost vs off |",
        "|---|" + "--:|" * (ROUNDS + 5),
    ]
    for variant in VARIANTS:
        results = run.rounds[variant.label]
        latencies = [x for r in results for x in r.tally.latencies]
        per_round = " | ".join(f"{r.rate:,.0f}" for r in results)
        lines.append(
            f"| {variant.label} | {per_round} | {run.median_rate(variant.label):,.0f} "
            f"| {percentile_ms(latencies, 0.5):.1f} | {percentile_ms(latencies, 0.99):.1f} "
            f"| {sum(r.tally.errors for r in results)} "
            f"| {run.cost_percent(variant.label):+.1f} % |"
        )
    return lines


def render(run: CheckRun, *, started: datetime, code: str, args: argparse.Namespace) -> str:
    cost = run.cost_percent(VARIANTS[0].label)
    verdict = "met" if cost < TARGET_PERCENT else "NOT met"
    return "\n".join(
        [
            "# Account check cost (account-check)",
            "",
            *report.machine_lines(started),
            f"- Code measured: {code}",
            f"- Settings: {ROUNDS} rounds of {args.seconds:g} s per variant after "
            f"{args.warmup:g} s warm-up, concurrency {args.concurrency}, {args.patients} "
            f"patients made first, load generator client: {args.client}",
            "",
            *table(run),
            "",
            f"Cost of the default check: {cost:.1f} % of patient-read throughput "
            f"(target under {TARGET_PERCENT:g} %: {verdict}).",
            "",
        ]
    )
