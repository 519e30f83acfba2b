"""`python -m bench --scenario me-plans`: a patient reading their plans (`GET /v1/me/plans`)
with 100,000 plans of care and 1,000,000 home sessions in the database, against a ceiling.

On its own throwaway stack: make one patient with a login through the API, then COPY the
generated plans (`bench.plandata`; the patient's one active four-exercise plan among them) and
sessions. Start the ceiling (`bench/ceiling_me_plans.py`: bare FastAPI + asyncpg doing the same
reads and writes) as one more uvicorn process, started the way ops.run starts the services.
Check both answer the same JSON. Then measure each one request at a time (latency), and with
`--concurrency` in flight (throughput), in rounds whose order alternates, with each process's
CPU time per request and PostgreSQL's.
"""

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil

from bench import plandata, profiling
from bench.ceiling_me_plans import LIMIT as PAGE_SIZE
from bench.ceiling_me_plans import PLANS as PLAN_QUERY
from bench.data import FRONT_DESK, THERAPIST, bearer, new_patient, sign_in
from bench.load import Result, Send, make_client, percentile_ms, run_closed_loop
from bench.stack import Stack, free_ports

NAME = "me-plans"
REQUEST = "GET plans /v1/me/plans (patient token)"
MEASURES = "own plans over 100k plans + 1M sessions: latency, then req/s vs a bare ceiling"
SEED = 20261129
WARMUP_REQUESTS = 100
PATH = "/v1/me/plans"
BENCH_ROOT = Path(__file__).resolve().parents[1]  # the ceiling always runs from here
SERVICE, CEILING = "plans service", "ceiling"


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
class MePlansRun:
    loaded: plandata.Loaded
    answer_bytes: int
    same_json: bool
    differences: list[str]
    latencies: dict[str, list[float]]  # label -> seconds, one at a time
    latency_errors: dict[str, int]
    rounds: dict[str, list[Round]]  # label -> one per round
    audited: dict[str, tuple[int, int]]  # label -> (audit rows added, 200 answers), one at a time
    profiles: list[profiling.Profile]  # with --profile: one more round each, under py-spy
    query_plan: str  # EXPLAIN (ANALYZE, BUFFERS) of the plan query, for the benchmark patient

    def median_rate(self, label: str) -> float:
        return statistics.median(r.result.rate for r in self.rounds[label])

    def median_cpu_ms(self, label: str, *, database: bool = False) -> float:
        return statistics.median(
            r.per_request_ms(r.database_cpu_seconds if database else r.cpu_seconds)
            for r in self.rounds[label]
        )

    @property
    def ratio(self) -> float:
        return self.median_rate(SERVICE) / self.median_rate(CEILING)

    @property
    def cpu_ratio(self) -> float:
        """The throughput ratio the two apps' CPU per request allow, each on one core."""
        return self.median_cpu_ms(CEILING) / self.median_cpu_ms(SERVICE)


# -- the benchmark patient -------------------------------------------------------------------


async def make_bench_patient(stack: Stack) -> tuple[plandata.BenchPatient, str]:
    """A patient registered and given a login through the API, and the demo therapist as
    their therapist; the patient's email (their password is the stack's demo password)."""
    async with make_client(2) as client:
        front_desk = await sign_in(client, stack, FRONT_DESK)
        therapist = await sign_in(client, stack, THERAPIST)
        patients = stack.url("patients")
        made = await client.post(
            patients + "/v1/patients",
            json=new_patient(random.Random(SEED)),
            headers=bearer(front_desk),
        )
        patient_id = _field(made, 201, "id")
        email = f"bench.patient.{secrets.token_hex(4)}@example.com"
        login = await client.post(
            f"{patients}/v1/patients/{patient_id}/account",
            json={"email": email, "password": stack.password},
            headers=bearer(front_desk),
        )
        _field(login, 201, "id")
        me = await client.get(patients + "/v1/users/me", headers=bearer(therapist))
        bench = plandata.BenchPatient(
            patient_id=uuid.UUID(patient_id),
            therapist_id=uuid.UUID(_field(me, 200, "id")),
            therapist_name=_field(me, 200, "display_name"),
        )
    return bench, email


def _field(response: httpx.Response, status: int, name: str) -> str:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return str(response.json()[name])


async def patient_token(stack: Stack, email: str) -> str:
    async with make_client(1) as client:
        return await sign_in(client, stack, email)


# -- the processes ---------------------------------------------------------------------------


def listening_pid(port: int) -> int:
    """The process listening on a loopback port (the stack's plans service)."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == "LISTEN" and conn.pid:
            return conn.pid
    raise RuntimeError(f"nothing listens on port {port}")


def database_cpu_seconds(stack: Stack) -> float:
    """CPU time PostgreSQL has used so far: the server, its live processes, and the backends
    that have exited (the server reaps them, so their time is in its children's). A backend
    opened and closed within a round counts too: the plans service's pool replaces some of
    its connections under load."""
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


def _ceiling_env(stack: Stack, jwks: str) -> dict[str, str]:
    return {
        **os.environ,
        "CEILING_DATABASE_URL": stack.database_dsn(),
        "CEILING_JWKS": jwks,
        "CEILING_ISSUER": stack.url("patients"),  # as ops.run sets CLINIC_JWT_ISSUER
        "CEILING_AUDIENCE": "clinic-api",
    }


@contextlib.contextmanager
def ceiling_process(stack: Stack) -> Iterator[Target]:
    """The ceiling app, one uvicorn worker with the flags ops.run gives the services."""
    jwks = httpx.get(stack.url("patients") + "/.well-known/jwks.json", timeout=10).text
    (port,) = free_ports(1)
    args = [sys.executable, "-m", "uvicorn", "bench.ceiling_me_plans:app"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--no-proxy-headers"]
    args += ["--log-config", str(BENCH_ROOT / "services/common/uvicorn_logging.json")]
    log = open(stack.data_dir / "ceiling.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603  (our own fixed command line)
        args,
        cwd=BENCH_ROOT,
        env=_ceiling_env(stack, jwks),
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


# -- measuring -------------------------------------------------------------------------------


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


async def compare(targets: Sequence[Target], headers: dict[str, str]) -> tuple[int, list[str]]:
    """The service's answer size, and how the ceiling's answer differs from it."""
    async with make_client(1) as client:
        service, ceiling = [await client.get(t.url + PATH, headers=headers) for t in targets]
    for answer in (service, ceiling):
        if answer.status_code != 200:
            raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:300]}")
    return len(service.content), json_differences(service.json(), ceiling.json())


async def one_at_a_time(
    target: Target, headers: dict[str, str], count: int, engine: str
) -> tuple[list[float], int]:
    """Latencies of `count` requests sent one after another (after a warm-up), and the
    requests of either part that were not answered 200."""
    latencies: list[float] = []
    errors = 0
    async with make_client(1, engine) as client:  # type: ignore[arg-type]
        for number in range(WARMUP_REQUESTS + count):
            started = time.perf_counter()
            answer = await client.get(target.url + PATH, headers=headers)
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                errors += 1
            elif number >= WARMUP_REQUESTS:
                latencies.append(elapsed)
    return latencies, errors


async def in_flight(
    stack: Stack, target: Target, headers: dict[str, str], args: argparse.Namespace
) -> Round:
    """One round with `--concurrency` in flight, and the CPU the app and PostgreSQL used."""
    url, loop = target.url + PATH, {"concurrency": args.concurrency}
    send: Send = lambda client: client.get(url, headers=headers)  # noqa: E731
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


async def explain_plan_query(stack: Stack, patient_id: uuid.UUID) -> str:
    """How PostgreSQL runs the plan query (the route's, as the ceiling sends it), on a warm
    connection (the first run on a new connection loads the catalog: planning takes longer)."""
    conn = await asyncpg.connect(stack.database_dsn())
    try:
        explain = "EXPLAIN (ANALYZE, BUFFERS) " + PLAN_QUERY
        await conn.fetch(explain, patient_id, PAGE_SIZE + 1)
        rows = await conn.fetch(explain, patient_id, PAGE_SIZE + 1)
        return "\n".join(row[0] for row in rows)
    finally:
        await conn.close()


async def audit_rows(stack: Stack) -> int:
    """Rows in the plans audit trail: each answered read must add one."""
    conn = await asyncpg.connect(stack.database_dsn())
    try:
        return int(await conn.fetchval("SELECT count(*) FROM plans.audit_event"))
    finally:
        await conn.close()


async def measure(
    stack: Stack,
    targets: Sequence[Target],
    email: str,
    loaded: plandata.Loaded,
    args: argparse.Namespace,
) -> MePlansRun:
    headers = bearer(await patient_token(stack, email))
    size, differences = await compare(targets, headers)
    print(f"Same JSON from both: {differences or 'yes'}", flush=True)
    latencies, latency_errors, audited = {}, {}, {}
    for target in targets:
        print(f"One at a time, {target.label}: {args.plan_requests} requests...", flush=True)
        before = await audit_rows(stack)
        seconds, errors = await one_at_a_time(target, headers, args.plan_requests, args.client)
        answers = WARMUP_REQUESTS + args.plan_requests - errors
        audited[target.label] = (await audit_rows(stack) - before, answers)
        latencies[target.label], latency_errors[target.label] = seconds, errors
        print(f"  p50 {percentile_ms(seconds, 0.5):.1f} ms  errors {errors}", flush=True)
    rounds: dict[str, list[Round]] = {t.label: [] for t in targets}
    print(f"{args.concurrency} in flight, {args.ceiling_rounds} rounds each...", flush=True)
    for number in range(args.ceiling_rounds):
        headers = bearer(await patient_token(stack, email))  # tokens live 15 minutes
        for target in targets if number % 2 == 0 else targets[::-1]:
            rounds[target.label].append(await in_flight(stack, target, headers, args))
    profiles = [await profiled(stack, t, email, args) for t in targets] if args.profile else []
    return MePlansRun(
        loaded=loaded,
        answer_bytes=size,
        same_json=not differences,
        differences=differences,
        latencies=latencies,
        latency_errors=latency_errors,
        rounds=rounds,
        audited=audited,
        profiles=profiles,
        query_plan=await explain_plan_query(stack, loaded.bench_patient_id),
    )


async def profiled(
    stack: Stack, target: Target, email: str, args: argparse.Namespace
) -> profiling.Profile:
    """One more round under the same load while py-spy samples the app (not in the figures:
    sampling slows it down)."""
    headers = bearer(await patient_token(stack, email))
    url, output = target.url + PATH, profiling.output_for(target.label)
    send: Send = lambda client: client.get(url, headers=headers)  # noqa: E731
    print(f"Profiling {target.label} for {args.seconds:g} s...", flush=True)
    async with make_client(args.concurrency, args.client) as client:
        recording = profiling.start_recording(target.pid, args.seconds, output)
        result = await run_closed_loop(
            "profile", client, send, seconds=args.seconds, concurrency=args.concurrency
        )
    print(f"  {target.label:<14} {result.rate:7,.0f} req/s under py-spy", flush=True)
    return await asyncio.to_thread(profiling.finish_recording, recording, target.label, output)


async def prepare(stack: Stack, args: argparse.Namespace) -> tuple[plandata.Loaded, str]:
    bench, email = await make_bench_patient(stack)
    print(
        f"Generating {args.plans:,} plans for {args.plan_patients:,} patients and "
        f"{args.sessions:,} home sessions...",
        flush=True,
    )
    loaded = await plandata.load(
        stack.database_dsn(),
        bench,
        plans=args.plans,
        patients=args.plan_patients,
        sessions=args.sessions,
        seed=SEED,
    )
    print(
        f"  {loaded.plans:,} plans, {loaded.sessions:,} sessions ({loaded.seconds:.1f} s)",
        flush=True,
    )
    return loaded, email


def run_sync(stack: Stack, args: argparse.Namespace) -> MePlansRun:
    loaded, email = asyncio.run(prepare(stack, args))
    service = Target(SERVICE, stack.url("plans"), listening_pid(stack.ports["plans"]))
    with ceiling_process(stack) as ceiling:
        return asyncio.run(measure(stack, (service, ceiling), email, loaded, args))
