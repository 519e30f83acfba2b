"""`python -m bench --scenario booking`: booking throughput with no clash, `POST
/v1/appointments` as the front desk with `--concurrency` in flight, against a ceiling.

On its own throwaway stack: 60 therapists (20 at each clinic, weekdays 07:00-19:00, made
through the API) and 200 patients. Every request books a 45-minute treatment in a slot of its
own: the slots are laid out day by day, 16 a day per therapist back to back (07:00, 07:45 ...
18:15), and handed out in the order time of day, then therapist, with the patients in turn, so
no two bookings share a therapist or a patient at overlapping times (nothing clashes; at 32 in
flight, two requests in flight at once rarely even share a schedule lock). The service and the
ceiling (`bench/ceiling_booking.py`: bare FastAPI + asyncpg doing the same checks, the patient
check over HTTP to the real patients service included, and the same INSERT) take their slots
from the same sequence, in rounds whose order alternates, with each process's CPU per request
and PostgreSQL's.
"""

import argparse
import asyncio
import itertools
import json
import random
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import asyncpg
import httpx

from bench import profiling
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
from bench.data import FRONT_DESK, LOCATIONS, bearer, create_patients, sign_in
from bench.load import Send, make_client
from bench.stack import Stack
from bench.staffing import (
    admin_token,
    local_start,
    make_therapists,
    next_weekdays,
    today,
    weekdays_hours,
)

NAME = "booking"
REQUEST = "POST scheduling /v1/appointments (front desk)"
MEASURES = "booking with no clash, 32 in flight: req/s vs a bare ceiling doing the same checks"
SERVICE = "scheduling service"
SEED = 20261130
THERAPISTS_PER_CLINIC = 20
PATIENTS = 200
KIND, VISIT_MINUTES = "treatment", 45
FIRST_VISIT, VISITS_A_DAY = time(7, 0), 16  # 07:00 to 19:00, the clinics' weekday hours
BOOKABLE_DAYS = 450  # weekdays ahead, within the two years a booking may be made ahead
# Fields that differ from one booking to the next; their format is compared, not their value.
VARYING = ("id", "patient_id", "therapist_id", "start", "end", "created_at", "updated_at")
PATH = "/v1/appointments"

STEPS: profiling.Steps = (
    ("token check (EdDSA signature, claims)", r"TokenVerifier\.verify|Verifier\.claims"),
    ("account check (cached 5 s)", r"ensure_active"),
    (
        "patient check over HTTP (our side: httpx, the service token)",
        r"confirm_patient|ServiceToken|ServiceClient|httpx/|httpcore/",
    ),
    ("thread-pool hop for a sync dependency", r"run_in_threadpool|Thread\._bootstrap"),
    ("new database connections (pool overflow)", r"connect_utils|_dbapi_connection\.create"),
    ("pre-ping on checkout (BEGIN, `;`, ROLLBACK)", r"_async_ping|do_ping \("),
    (
        "connection checkout and return",
        r"sqlalchemy/pool/|PoolAcquireContext|Pool\.(acquire|release)|Session\.close",
    ),
    ("BEGIN", r"_start_transaction|Transaction\.start"),
    # SQLAlchemy runs the ORM in a greenlet: py-spy shows its frames as a stack of their own,
    # rooted at the session call, without the route's frames above it.
    ("savepoint around the INSERT (SAVEPOINT, RELEASE)", r"begin_nested|_savepoint|Savepoint"),
    (
        "INSERTs through the ORM: appointment, audit row (flush)",
        r"Session\._flush|Session\.flush|AsyncSession\.commit.*_prepare_and_execute",
    ),
    (
        "COMMIT",
        r"Transaction\.(commit|__commit|__aexit__)|AsyncSession\.commit|Session\.commit \(",
    ),
    (
        "SELECTs and locks through the ORM (clinic, type, 2 locks, hours, time off, zones)",
        r"AsyncSession\.exec \(|Session\.exec \(|Session\.execute \(",
    ),
    ("ceiling: its statements (asyncpg)", r"Connection\.(fetch|fetchrow|fetchval|execute) \("),
    (
        "the rules in Python (start, grid, opening hours, hours)",
        r"check_start|check_opening_hours|check_room|_within|_instants|inside \(|first_instant",
    ),
    (
        "the answer (read model, JSON, idempotency, audit row object)",
        r"booked_read|appointment_read|model_dump|to_json|answer \(|idempotency|AuditTrail",
    ),
    ("route and service functions (rest)", r"book_appointment \(|book \(|write \("),
    ("reading and validating the body", r"request_body_to_args|Request\.(body|json)|asked \("),
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
class Setup:
    """Who books and for whom: the therapists (clinic, id) and the patients."""

    therapists: list[tuple[str, uuid.UUID]]
    patient_ids: list[str]
    seconds: float


@dataclass(frozen=True)
class BookingRun:
    setup: Setup
    differences: list[str]  # between the service's answer and the ceiling's
    booked: int  # appointments in the table at the end
    audited: int  # their `appointment.book` audit rows
    inflight: Rounds

    @property
    def ratio(self) -> float:
        return self.inflight.ratio(SERVICE)

    @property
    def cpu_ratio(self) -> float:
        return self.inflight.cpu_ratio(SERVICE)


# -- the data --------------------------------------------------------------------------------


async def prepare(stack: Stack) -> Setup:
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with make_client(8) as client:
        admin = await admin_token(client, stack)
        weeks = [
            weekdays_hours(location, "07:00", "19:00")
            for _ in range(THERAPISTS_PER_CLINIC)
            for location in LOCATIONS
        ]
        print(f"Making {len(weeks)} therapists with hours, {PATIENTS} patients...", flush=True)
        ids = await make_therapists(client, stack, admin, weeks)
        desk = await sign_in(client, stack, FRONT_DESK)
        patients = await create_patients(client, stack, desk, PATIENTS, random.Random(SEED))
    places = [week[0]["location"] for week in weeks]
    therapists = list(zip(places, ids, strict=True))
    return Setup(therapists, patients, loop.time() - started)


def bookings(setup: Setup) -> Iterator[dict[str, Any]]:
    """Booking bodies, no two of which clash: by day, time of day, then therapist (a patient
    in turn for each), so the visits at one time have distinct therapists and patients, and
    visits of one therapist follow each other back to back."""
    patients = itertools.cycle(setup.patient_ids)
    for day in next_weekdays(today(), BOOKABLE_DAYS):
        for number in range(VISITS_A_DAY):
            wall = local_start(day, FIRST_VISIT) + timedelta(minutes=VISIT_MINUTES * number)
            start = wall.isoformat()
            for location, therapist in setup.therapists:
                yield {
                    "patient_id": next(patients),
                    "therapist_id": str(therapist),
                    "location": location,
                    "type": KIND,
                    "start": start,
                }


def booking(target: Target, token: str, bodies: Iterator[dict[str, Any]]) -> Send:
    url, headers = target.url + PATH, bearer(token)
    return lambda client: client.post(url, json=next(bodies), headers=headers)


# -- measuring -------------------------------------------------------------------------------


def _shape(document: dict[str, Any]) -> dict[str, Any]:
    """The answer with the varying fields' digits blanked: their format still compared."""
    return {
        key: re.sub(r"[0-9a-f]", "0", value) if key in VARYING and isinstance(value, str) else value
        for key, value in document.items()
    }


async def compare(
    targets: Sequence[Target], token: str, bodies: Iterator[dict[str, Any]]
) -> list[str]:
    """How the ceiling's answer to a booking differs from the service's (each books one)."""
    answers: list[httpx.Response] = []
    location = None
    async with make_client(1) as client:
        for target in targets:
            body = next(b for b in bodies if location in (None, b["location"]))
            location = body["location"]
            answer = await client.post(target.url + PATH, json=body, headers=bearer(token))
            if answer.status_code != 201:
                raise RuntimeError(f"{target.label}: {answer.status_code} {answer.text[:300]}")
            if answer.json()["start"] != body["start"]:
                raise RuntimeError(f"{target.label}: start {answer.json()['start']} asked {body}")
            answers.append(answer)
    service, ceiling = (_shape(a.json()) for a in answers)
    headers = [{k: a.headers.get(k, "") for k in ("etag", "content-type")} for a in answers]
    return json_differences(service, ceiling) + json_differences(headers[0], headers[1])


async def counts(stack: Stack) -> tuple[int, int]:
    """Appointments booked, and `appointment.book` audit rows: each booking must add one."""
    conn = await asyncpg.connect(stack.database_dsn())
    try:
        booked = await conn.fetchval("SELECT count(*) FROM scheduling.appointment")
        audited = await conn.fetchval(
            "SELECT count(*) FROM scheduling.audit_event "
            "WHERE action = 'appointment.book' AND outcome = 'success'"
        )
        return int(booked), int(audited)
    finally:
        await conn.close()


async def desk_token(stack: Stack) -> str:
    async with make_client(1) as client:
        return await sign_in(client, stack, FRONT_DESK)


async def measure(
    stack: Stack, targets: Sequence[Target], setup: Setup, args: argparse.Namespace
) -> BookingRun:
    bodies = bookings(setup)
    differences = await compare(targets, await desk_token(stack), bodies)
    print(f"Same JSON from both (varying values aside): {differences or 'yes'}", flush=True)
    rounds: dict[str, list[Round]] = {t.label: [] for t in targets}
    print(f"{args.concurrency} in flight, {args.ceiling_rounds} rounds each...", flush=True)
    for number in range(args.ceiling_rounds):
        token = await desk_token(stack)  # tokens live 15 minutes
        for target in targets if number % 2 == 0 else targets[::-1]:
            rounds[target.label].append(
                await in_flight(stack, target, booking(target, token, bodies), args)
            )
    profiles = []
    for target in targets if args.profile else ():
        send = booking(target, await desk_token(stack), bodies)
        profiles.append(await profiled(target, send, args, STEPS))
    booked, audited = await counts(stack)
    return BookingRun(setup, differences, booked, audited, Rounds(rounds, profiles))


def ceiling_env(stack: Stack) -> dict[str, str]:
    jwks = httpx.get(stack.url("patients") + "/.well-known/jwks.json", timeout=10).text
    secrets = json.loads((stack.data_dir / "service-clients.json").read_text())
    return {
        "CEILING_DATABASE_URL": stack.database_dsn(),
        "CEILING_JWKS": jwks,
        "CEILING_ISSUER": stack.url("patients"),  # as ops.run sets CLINIC_JWT_ISSUER
        "CEILING_PATIENTS_URL": stack.url("patients"),
        "CEILING_CLIENT_SECRET": secrets["CLINIC_SCHEDULING_CLIENT_SECRET"],
    }


def run_sync(stack: Stack, args: argparse.Namespace) -> BookingRun:
    setup = asyncio.run(prepare(stack))
    service = service_target(stack, "scheduling", SERVICE)
    with ceiling_process(stack, "bench.ceiling_booking:app", ceiling_env(stack)) as ceiling:
        return asyncio.run(measure(stack, (service, ceiling), setup, args))
