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
import random
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import httpx

from bench import plandata
from bench.ceiling import (
    Round,
    Rounds,
    Target,
    ceiling_process,
    in_flight,
    json_differences,
    profiled,
    service_target,
)
from bench.ceiling_me_plans import LIMIT as PAGE_SIZE
from bench.ceiling_me_plans import PLANS as PLAN_QUERY
from bench.data import FRONT_DESK, THERAPIST, bearer, new_patient, sign_in
from bench.load import Send, make_client, percentile_ms
from bench.stack import Stack

NAME = "me-plans"
REQUEST = "GET plans /v1/me/plans (patient token)"
MEASURES = "own plans over 100k plans + 1M sessions: latency, then req/s vs a bare ceiling"
SEED = 20261129
WARMUP_REQUESTS = 100
PATH = "/v1/me/plans"
SERVICE = "plans service"


@dataclass(frozen=True)
class MePlansRun:
    loaded: plandata.Loaded
    answer_bytes: int
    same_json: bool
    differences: list[str]
    latencies: dict[str, list[float]]  # label -> seconds, one at a time
    latency_errors: dict[str, int]
    audited: dict[str, tuple[int, int]]  # label -> (audit rows added, 200 answers), one at a time
    query_plan: str  # EXPLAIN (ANALYZE, BUFFERS) of the plan query, for the benchmark patient
    inflight: Rounds  # --concurrency in flight; with --profile, one more round each under py-spy

    @property
    def ratio(self) -> float:
        return self.inflight.ratio(SERVICE)

    @property
    def cpu_ratio(self) -> float:
        return self.inflight.cpu_ratio(SERVICE)


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


def ceiling_env(stack: Stack) -> dict[str, str]:
    jwks = httpx.get(stack.url("patients") + "/.well-known/jwks.json", timeout=10).text
    return {
        "CEILING_DATABASE_URL": stack.database_dsn(),
        "CEILING_JWKS": jwks,
        "CEILING_ISSUER": stack.url("patients"),  # as ops.run sets CLINIC_JWT_ISSUER
        "CEILING_AUDIENCE": "clinic-api",
    }


# -- measuring -------------------------------------------------------------------------------


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


def reading(target: Target, headers: dict[str, str]) -> Send:
    url = target.url + PATH
    return lambda client: client.get(url, headers=headers)


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
            rounds[target.label].append(
                await in_flight(stack, target, reading(target, headers), args)
            )
    profiles = []
    for target in targets if args.profile else ():
        headers = bearer(await patient_token(stack, email))
        profiles.append(await profiled(target, reading(target, headers), args))
    return MePlansRun(
        loaded=loaded,
        answer_bytes=size,
        same_json=not differences,
        differences=differences,
        latencies=latencies,
        latency_errors=latency_errors,
        audited=audited,
        query_plan=await explain_plan_query(stack, loaded.bench_patient_id),
        inflight=Rounds(rounds, profiles),
    )


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
    service = service_target(stack, "plans", SERVICE)
    with ceiling_process(stack, "bench.ceiling_me_plans:app", ceiling_env(stack)) as ceiling:
        return asyncio.run(measure(stack, (service, ceiling), email, loaded, args))
