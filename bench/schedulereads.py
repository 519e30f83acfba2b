"""Two reads of the scheduling service, each on its own throwaway stack, one request at a
time (so the figures are latency, not queueing):

- `availability-month`: `GET /v1/availability` for a whole month at one clinic, one kind of
  visit, all 10 therapists who work there, with 200,000 appointments in the table
  (`bench/appointmentdata.py`: the clinic's history and the month densely booked); then
  EXPLAIN (ANALYZE, BUFFERS) of the busy-time queries, as the service builds them.
- `day-sheet`: `GET /v1/appointments?location=&date=` for a clinic with 60 appointments that
  day, booked through the API by the front desk for 60 patients registered through the API.
"""

import argparse
import asyncio
import calendar
import dataclasses
import json
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

import asyncpg
import psutil
from sqlalchemy.dialects import postgresql

from bench import appointmentdata, explain, profiling
from bench.ceiling import Target, cpu_seconds, profiled, service_target
from bench.data import FRONT_DESK, bearer, create_patients, sign_in
from bench.load import Send, make_client
from bench.stack import Stack
from bench.staffing import (
    TIME_ZONE,
    admin_token,
    local_start,
    make_therapists,
    next_weekdays,
    today,
    weekdays_hours,
)
from services.scheduling.availability import busy
from services.scheduling.availability.slots import Interval
from services.scheduling.local_time import day_span

AVAILABILITY, DAY_SHEET = "availability-month", "day-sheet"
NAMES = (AVAILABILITY, DAY_SHEET)
SEED = 20261130
WARMUP_REQUESTS = 20
THERAPISTS = 10
KIND = "treatment"
HOURS = ("08:00", "18:00")  # every therapist's, weekdays
AVAILABILITY_CLINIC, SHEET_CLINIC = "frederick", "columbia"
SHEET_VISITS_EACH = 6  # x 10 therapists = 60 appointments on the day
SERVICE = "scheduling service"

STEPS: profiling.Steps = (
    ("token check (EdDSA signature, claims)", r"TokenVerifier\.verify"),
    ("account check (cached 5 s)", r"ensure_active"),
    ("thread-pool hop for a sync dependency", r"run_in_threadpool|Thread\._bootstrap"),
    ("new database connections", r"connect_utils|_dbapi_connection\.create"),
    ("pre-ping on checkout (BEGIN, `;`, ROLLBACK)", r"_async_ping|do_ping \("),
    (
        "connection checkout and return",
        r"sqlalchemy/pool/|PoolAcquireContext|Pool\.(acquire|release)|Session\.close",
    ),
    ("BEGIN", r"_start_transaction|Transaction\.start"),
    # SQLAlchemy runs the ORM in a greenlet: py-spy shows its frames as a stack of their own,
    # rooted at the session call, without the route's frames above it.
    ("audit rows: INSERT through the ORM (flush)", r"Session\._flush|Session\.flush"),
    ("COMMIT", r"Transaction\.(commit|__commit|__aexit__)|AsyncSession\.commit|Session\.commit"),
    (
        "SELECTs through the ORM, rows into objects",
        r"AsyncSession\.exec \(|Session\.exec \(|Session\.execute \(",
    ),
    ("audit row objects (SQLModel)", r"AuditTrail|_audit_list|audit\.py"),
    ("free-slot maths (slots.py)", r"availability/slots\.py|free_slots|grid_instants"),
    (
        "building the answer (read models)",
        r"appointment_read|moves_from|_read \(|SlotRead|AvailabilityRead|model_construct",
    ),
    (
        "FastAPI's response model: validate and serialize the answer",
        r"serialize_response|_prepare_response_content|jsonable_encoder|dump_json|model_dump",
    ),
    ("route and service functions (rest)", r"list_appointments|availability \(|_filters"),
    (
        "request id, client address, access log (middleware)",
        r"_who_is_asking|_answer_headers|adopt_request_id|release_request_id|logging/",
    ),
    ("FastAPI dependencies (rest)", r"solve_dependencies"),
    (
        "Starlette / FastAPI (routing, middleware, response)",
        r"FastAPI\.__call__|Starlette\.__call__",
    ),
    ("event loop, uvicorn's HTTP, driver callbacks", r"uvicorn|Runner\.run"),
)


@dataclass(frozen=True)
class Scenario:
    name: str
    request: str
    measures: str
    target_ms: float


SCENARIOS = {
    AVAILABILITY: Scenario(
        AVAILABILITY,
        "GET scheduling /v1/availability (a month, 10 therapists)",
        "free slots for a month over 200k appointments, one at a time",
        50.0,
    ),
    DAY_SHEET: Scenario(
        DAY_SHEET,
        "GET scheduling /v1/appointments?location=&date=",
        "the day sheet of a clinic with 60 appointments, one at a time",
        30.0,
    ),
}


@dataclass(frozen=True)
class Timed:
    """Latencies of the requests measured, the failures, what the last answer held, and the
    scheduling service's CPU time per request measured."""

    latencies: list[float]
    errors: int
    answer_bytes: int
    items: int  # slots or appointments in the last answer
    cpu_ms: float


@dataclass(frozen=True)
class ReadRun:
    scenario: Scenario
    query: str  # the request, as sent
    setup: list[str]  # lines for the report
    timed: Timed
    plans: list[tuple[str, str]]  # (what, EXPLAIN text)
    profile: profiling.Profile | None  # with --profile: one more pass under py-spy


# -- one at a time ---------------------------------------------------------------------------


async def one_at_a_time(
    target: Target, params: dict[str, Any], token: str, count: int, engine: str, items: str
) -> Timed:
    latencies: list[float] = []
    errors, size, found, cpu = 0, 0, 0, 0.0
    url, process = target.url, psutil.Process(target.pid)
    async with make_client(1, engine) as client:  # type: ignore[arg-type]
        for number in range(WARMUP_REQUESTS + count):
            if number == WARMUP_REQUESTS:
                cpu = cpu_seconds([process])
            started = time.perf_counter()
            answer = await client.get(url, params=params, headers=bearer(token))
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                errors += 1
                continue
            if number >= WARMUP_REQUESTS:
                latencies.append(elapsed)
            size = len(answer.content)
    cpu_ms = 1000 * (cpu_seconds([process]) - cpu) / max(1, len(latencies))
    if size:
        found = len(json.loads(answer.content)[items])
    return Timed(latencies, errors, size, found, cpu_ms)


async def profile_reads(
    target: Target, params: dict[str, Any], token: str, args: argparse.Namespace
) -> profiling.Profile | None:
    """One more pass of the same request, one at a time, while py-spy samples the service."""
    if not args.profile:
        return None
    url, headers = target.url, bearer(token)
    send: Send = lambda client: client.get(url, params=params, headers=headers)  # noqa: E731
    return await profiled(
        target, send, argparse.Namespace(**{**vars(args), "concurrency": 1}), STEPS
    )


async def desk_token(stack: Stack) -> str:
    async with make_client(1) as client:
        return await sign_in(client, stack, FRONT_DESK)


async def therapists_at(stack: Stack, location: str) -> list[uuid.UUID]:
    async with make_client(8) as client:
        admin = await admin_token(client, stack)
        week = weekdays_hours(location, *HOURS)
        return await make_therapists(client, stack, admin, [week] * THERAPISTS)


# -- availability for a month ----------------------------------------------------------------


def next_month(after: date) -> tuple[date, date]:
    first = (after.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


async def availability_month(stack: Stack, args: argparse.Namespace) -> ReadRun:
    print(f"Making {THERAPISTS} therapists at {AVAILABILITY_CLINIC}...", flush=True)
    therapist_ids = await therapists_at(stack, AVAILABILITY_CLINIC)
    first, last = next_month(today())
    book = appointmentdata.Book(
        AVAILABILITY_CLINIC,
        therapist_ids,
        clock.fromisoformat(HOURS[0]),
        clock.fromisoformat(HOURS[1]),
        first,
        last,
    )
    print(f"Generating and COPYing {args.appointments:,} appointments...", flush=True)
    loaded = await appointmentdata.load(stack.database_dsn(), book, args.appointments, SEED)
    print(f"  {loaded.appointments:,} appointments ({loaded.seconds:.1f} s)", flush=True)
    params = {"location": AVAILABILITY_CLINIC, "type": KIND, "from": str(first), "to": str(last)}
    target, token = reader(stack, "/v1/availability", AVAILABILITY), await desk_token(stack)
    print(f"One at a time: {args.read_requests} requests...", flush=True)
    timed = await one_at_a_time(target, params, token, args.read_requests, args.client, "slots")
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(loaded.statuses.items()))
    setup = [
        f"- Data: {THERAPISTS} therapists at {AVAILABILITY_CLINIC} (weekdays {'-'.join(HOURS)}, "
        f"through the API); {loaded.appointments:,} appointments of theirs ({statuses}) from "
        f"{loaded.first_day} to {last}, {loaded.in_month:,} of them live in the month searched; "
        f"generated, COPYed and VACUUM (ANALYZE) in {loaded.seconds:.1f} s; PostgreSQL "
        f"{loaded.server_version} (embedded, default settings)",
        f"- Answer: {timed.items:,} free slots, {timed.answer_bytes:,} bytes",
    ]
    window = Interval(*day_span(first, last, TIME_ZONE))  # as the service asks
    plans = await explain_busy(stack.database_dsn(), therapist_ids, window)
    profile = await profile_reads(target, params, token, args)
    return ReadRun(SCENARIOS[AVAILABILITY], _query(target, params), setup, timed, plans, profile)


class _Recorder:
    """Stands in for the session: keeps the statement a busy source would run."""

    def __init__(self) -> None:
        self.statements: list[Any] = []

    async def exec(self, statement: Any) -> Any:
        self.statements.append(statement)
        return self

    def all(self) -> list[Any]:
        return []


async def busy_statements(
    therapist_ids: Sequence[uuid.UUID], window: Interval
) -> list[tuple[str, str, list[Any]]]:
    """(source, SQL, values) of each busy source, compiled as the service's driver sends it."""
    found = []
    for source in busy.sources_at(datetime.now(UTC)):
        recorder = _Recorder()
        await source(recorder, therapist_ids, window)  # type: ignore[arg-type]
        compiled = recorder.statements[0].compile(
            dialect=postgresql.asyncpg.dialect(),  # type: ignore[attr-defined]
            compile_kwargs={"render_postcompile": True},
        )
        params = compiled.construct_params()
        values = [params[name] for name in compiled.positiontup or []]
        found.append((source.__name__, str(compiled), values))
    return found


async def explain_busy(
    dsn: str, therapist_ids: Sequence[uuid.UUID], window: Interval
) -> list[tuple[str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each busy query with a custom plan (the values known to
    the planner) and a generic one (what a pooled connection may switch to once warm)."""
    conn = await asyncpg.connect(dsn)
    plans = []
    try:
        for number, (name, sql, values) in enumerate(await busy_statements(therapist_ids, window)):
            await explain.explain_prepared(conn, "bench_warm", sql, values, "custom")
            for mode in ("custom", "generic"):
                label = f"bench_busy_{number}_{mode}"
                _, text = await explain.explain_prepared(conn, label, sql, values, mode)
                plans.append((f"busy source `{name}`, {mode} plan", sql + "\n\n" + text))
    finally:
        await conn.close()
    return plans


# -- the day sheet ---------------------------------------------------------------------------


async def book_day(stack: Stack, therapist_ids: Sequence[uuid.UUID], day: date) -> int:
    """Six visits back to back for each therapist from 08:00, each for a patient of its own
    registered first; the appointments booked."""
    async with make_client(8) as client:
        token = await sign_in(client, stack, FRONT_DESK)
        count = len(therapist_ids) * SHEET_VISITS_EACH
        patients = await create_patients(client, stack, token, count, random.Random(SEED))
        booked = 0
        for number, patient in enumerate(patients):
            therapist = therapist_ids[number % len(therapist_ids)]
            starts = local_start(day, clock(8)) + timedelta(minutes=45 * (number // THERAPISTS))
            answer = await client.post(
                stack.url("scheduling") + "/v1/appointments",
                json={
                    "patient_id": patient,
                    "therapist_id": str(therapist),
                    "location": SHEET_CLINIC,
                    "type": KIND,
                    "start": starts.isoformat(),
                },
                headers=bearer(token),
            )
            if answer.status_code != 201:
                raise RuntimeError(f"booking: {answer.status_code} {answer.text[:300]}")
            booked += 1
    return booked


async def day_sheet(stack: Stack, args: argparse.Namespace) -> ReadRun:
    print(f"Making {THERAPISTS} therapists at {SHEET_CLINIC}, booking 60 visits...", flush=True)
    therapist_ids = await therapists_at(stack, SHEET_CLINIC)
    (day,) = next_weekdays(today(), 1)
    booked = await book_day(stack, therapist_ids, day)
    params = {"location": SHEET_CLINIC, "date": str(day), "limit": 100}
    target, token = reader(stack, "/v1/appointments", DAY_SHEET), await desk_token(stack)
    print(f"One at a time: {args.read_requests} requests...", flush=True)
    timed = await one_at_a_time(target, params, token, args.read_requests, args.client, "items")
    setup = [
        f"- Data: {THERAPISTS} therapists at {SHEET_CLINIC} (weekdays {'-'.join(HOURS)}), "
        f"{booked} appointments on {day} booked through `POST /v1/appointments` for {booked} "
        "patients registered through `POST /v1/patients`; nothing else in the table",
        f"- Answer: {timed.items} appointments, {timed.answer_bytes:,} bytes (one page: "
        "`limit=100`)",
    ]
    profile = await profile_reads(target, params, token, args)
    return ReadRun(SCENARIOS[DAY_SHEET], _query(target, params), setup, timed, [], profile)


def reader(stack: Stack, path: str, scenario: str) -> Target:
    """The scheduling service's process, with the URL of the route read (labelled with the
    scenario, which names the file of its raw profile)."""
    service = service_target(stack, "scheduling", f"{SERVICE} {scenario}")
    return dataclasses.replace(service, url=service.url + path)


def _query(target: Target, params: dict[str, Any]) -> str:
    path = "/" + target.url.split("/", 3)[3]
    return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def run_sync(name: str, stack: Stack, args: argparse.Namespace) -> ReadRun:
    scenario = availability_month if name == AVAILABILITY else day_sheet
    return asyncio.run(scenario(stack, args))
