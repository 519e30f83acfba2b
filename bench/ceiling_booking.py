"""The ceiling for `POST /v1/appointments`: the least a Python app can do to book a visit with
the same checks and the same write as the scheduling service.

Bare FastAPI and asyncpg, no ORM, no middleware, no dependencies: it verifies the front
desk's token offline with the same public key (the stack's JWKS, read once at start), reads
the body, asks the real patients service whether the patient exists and is active (`GET
/v1/patients/{id}/status` with the scheduling service's own token, got with its client
secret and renewed before it expires) over keep-alive connections of the benchmark's own
minimal HTTP client (`bench/rawhttp.py`; `CEILING_HTTP_CLIENT=httpx` for one shared
`httpx.AsyncClient` with the service's settings instead), and then, in one transaction:
reads the clinic and the kind of visit, checks the start (the service's own `check_start`:
future, on the grid, a wall time that exists) and the clinic's opening hours, takes the
therapist's and the patient's advisory locks (the service's lock ids, in its order), checks
the therapist's hours that weekday and their time off, INSERTs the appointment into
scheduling.appointment (the exclusion constraints accept or refuse it: 409) and its audit
row (`appointment.book`), and answers the same JSON with the same Location and ETag.
`bench/booking.py` runs it as one uvicorn worker beside the service.

What it leaves out, on purpose (the service pays for these; bench/README.md weighs them):
the account check, idempotency keys, a plan (the benchmark books without one), rooms (none
asked for), the savepoint around the INSERT and the named clash in a 409, request-context
middleware, the access log, FastAPI's body model and dependencies, and the ORM.

    CEILING_DATABASE_URL=postgresql://... CEILING_JWKS='{"keys": [...]}' \\
    CEILING_ISSUER=http://127.0.0.1:8001 CEILING_PATIENTS_URL=http://127.0.0.1:8001 \\
    CEILING_CLIENT_SECRET=... uvicorn bench.ceiling_booking:app
"""

import hashlib
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pydantic_core
from fastapi import FastAPI, Request, Response

from bench.ceiling_me_plans import Verifier, no_reset
from bench.rawhttp import RawClient
from services.common.errors import Problem
from services.scheduling.appointments.moves import moves_from
from services.scheduling.appointments.times import check_start
from services.scheduling.local_time import first_instant_at

DESK_ROLES = ("front_desk", "admin")
CLIENT_ID = "scheduling"  # the ceiling asks as the scheduling service does
STEP_MINUTES = 15  # the service's default grid (CLINIC_SLOT_MINUTES)
CLINIC = "SELECT id, slug, time_zone, opening_hours FROM scheduling.location WHERE slug = $1"
KIND = "SELECT slug, duration_minutes FROM scheduling.appointment_type WHERE slug = $1"
LOCKS = "SELECT pg_advisory_xact_lock($1), pg_advisory_xact_lock($2)"
HOURS = """
SELECT starts, ends FROM scheduling.therapist_hours
WHERE therapist_id = $1 AND location_id = $2 AND weekday = $3
"""
AWAY = """
SELECT id FROM scheduling.time_off
WHERE therapist_id = $1 AND tstzrange(starts_at, ends_at) && tstzrange($2, $3) LIMIT 1
"""
INSERT = """
INSERT INTO scheduling.appointment
    (id, patient_id, therapist_id, location, room, appointment_type, duration_minutes,
     starts_at, ends_at, status, late_cancellation, version, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, 'booked', false, 1, $9, $10, $10)
"""
AUDIT = """
INSERT INTO scheduling.audit_event
    (occurred_at, actor_user_id, actor_role, action, outcome, patient_id, entity_type,
     entity_id, client_ip, request_id, detail)
VALUES ($1, $2, $3, 'appointment.book', 'success', $4, 'appointment', $5, $6, $7, '{}')
"""


class Refused(Exception):
    """A 4xx answer, as problem+json."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def lock_id(kind: str, key: uuid.UUID) -> int:
    """The service's advisory lock id of one schedule (`services/scheduling/locks.py`)."""
    name = f"scheduling\0{kind}\0{key}"
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class ServiceToken:
    """The scheduling service's own token from the patients service, renewed before expiry."""

    def __init__(self, http: httpx.AsyncClient, url: str, secret: str) -> None:
        self._http, self._url, self._secret = http, url, secret
        self._token, self._renew_at = "", 0.0

    async def header(self) -> dict[str, str]:
        if time.monotonic() >= self._renew_at:
            form = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
            form["client_secret"] = self._secret
            answer = await self._http.post(self._url + "/v1/auth/token", data=form)
            answer.raise_for_status()
            grant = answer.json()
            self._token = grant["access_token"]
            self._renew_at = time.monotonic() + grant["expires_in"] / 2
        return {"Authorization": f"Bearer {self._token}"}


@dataclass(frozen=True)
class Config:
    database_url: str  # postgresql://... (asyncpg's form)
    jwks: dict[str, Any]  # the patients service's published keys
    issuer: str
    patients_url: str
    client_secret: str  # the scheduling service's (ops.run's service-clients.json)
    http_client: str = "raw"  # or "httpx", for the patient check
    audience: str = "clinic-api"
    pool_size: int = 30  # the scheduling service's pool: 20 + 10 overflow

    @classmethod
    def from_environment(cls) -> "Config":
        return cls(
            database_url=os.environ["CEILING_DATABASE_URL"],
            jwks=json.loads(os.environ["CEILING_JWKS"]),
            issuer=os.environ["CEILING_ISSUER"],
            patients_url=os.environ["CEILING_PATIENTS_URL"],
            client_secret=os.environ["CEILING_CLIENT_SECRET"],
            http_client=os.environ.get("CEILING_HTTP_CLIENT", "raw"),
            audience=os.environ.get("CEILING_AUDIENCE", "clinic-api"),
            pool_size=int(os.environ.get("CEILING_POOL_SIZE", "30")),
        )


def build_app(config: Config | None = None) -> FastAPI:
    """The ceiling app; without a config it reads the CEILING_* environment at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = config or Config.from_environment()
        app.state.verifier = Verifier(
            settings.jwks, issuer=settings.issuer, audience=settings.audience
        )
        app.state.patients_url = settings.patients_url.rstrip("/")
        # The service's own client settings (services/common/app.py), timeouts included.
        timeout = httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=2.0)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=50, keepalive_expiry=2)
        async with (
            httpx.AsyncClient(timeout=timeout, limits=limits) as http,
            RawClient(timeout=5.0) as raw,
            asyncpg.create_pool(
                settings.database_url, min_size=1, max_size=settings.pool_size, reset=no_reset
            ) as pool,
        ):
            app.state.http = raw if settings.http_client == "raw" else http
            app.state.pool = pool
            app.state.token = ServiceToken(http, app.state.patients_url, settings.client_secret)
            yield

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.add_api_route("/healthz", healthz, methods=["GET"])
    app.add_api_route("/v1/appointments", book, methods=["POST"])
    return app


async def healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@dataclass(frozen=True, slots=True)
class Asked:
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    location: str
    kind: str
    start: datetime


def asked(body: bytes) -> Asked:
    try:
        data = json.loads(body)
        start = datetime.fromisoformat(data["start"])
        found = Asked(
            uuid.UUID(data["patient_id"]),
            uuid.UUID(data["therapist_id"]),
            str(data["location"]),
            str(data["type"]),
            start,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused(422, f"Unreadable booking: {exc}") from None
    if start.tzinfo is None:
        raise Refused(422, "start needs an offset")
    return found


async def book(request: Request) -> Response:
    claims = request.app.state.verifier.claims(request.headers.get("authorization"))
    if claims is None or claims.get("role") not in DESK_ROLES:
        return Response(status_code=401 if claims is None else 403)
    request_id = uuid.uuid4().hex
    try:
        visit = asked(await request.body())
        await confirm_patient(request, visit.patient_id)
        body = await write(request, visit, claims, request_id)
    except Refused as refused:
        return problem(refused, request_id)
    headers = {
        "Location": f"/v1/appointments/{body['id']}",
        "ETag": '"1"',
        "x-request-id": request_id,
        "cache-control": "no-store",
    }
    return Response(pydantic_core.to_json(body), 201, headers, media_type="application/json")


async def confirm_patient(request: Request, patient_id: uuid.UUID) -> None:
    state = request.app.state
    answer = await state.http.get(
        f"{state.patients_url}/v1/patients/{patient_id}/status", headers=await state.token.header()
    )
    if answer.status_code == 404:
        raise Refused(404, "No patient with this id.")
    if answer.status_code != 200:
        raise RuntimeError(f"the patients service answered {answer.status_code}")
    if json.loads(answer.content)["status"] != "active":
        raise Refused(422, "The patient is archived: archived patients are not booked.")


async def write(
    request: Request, visit: Asked, claims: dict[str, Any], request_id: str
) -> dict[str, Any]:
    """The checks under the locks and the INSERT, in one transaction; the answer's fields."""
    desk = uuid.UUID(claims["sub"])
    now = datetime.now(UTC)
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        clinic = await conn.fetchrow(CLINIC, visit.location)
        kind = await conn.fetchrow(KIND, visit.kind)
        if clinic is None or kind is None:
            raise Refused(422, "No such clinic or kind of visit.")
        zone = ZoneInfo(clinic["time_zone"])
        end = visit.start + timedelta(minutes=kind["duration_minutes"])
        try:
            check_start(visit.start, zone=zone, now=now, step_minutes=STEP_MINUTES)
        except Problem as problem:
            raise Refused(422, problem.detail) from None
        day = visit.start.astimezone(zone).date()
        opening = json.loads(clinic["opening_hours"])
        hours = [
            (clock.fromisoformat(h["opens"]), clock.fromisoformat(h["closes"]))
            for h in opening
            if h["weekday"] == day.weekday()
        ]
        if not inside(visit.start, end, hours, day, zone):
            raise Refused(422, "The clinic is closed then.")
        therapist = lock_id("therapist", visit.therapist_id)
        await conn.execute(LOCKS, therapist, lock_id("patient", visit.patient_id))
        works = await conn.fetch(HOURS, visit.therapist_id, clinic["id"], day.weekday())
        if not inside(visit.start, end, [(r["starts"], r["ends"]) for r in works], day, zone):
            raise Refused(422, "The therapist does not work then.")
        if await conn.fetchval(AWAY, visit.therapist_id, visit.start, end) is not None:
            raise Refused(409, "The therapist is away then.")
        appointment_id = uuid.uuid4()
        try:
            await conn.execute(
                INSERT,
                appointment_id,
                visit.patient_id,
                visit.therapist_id,
                clinic["slug"],
                kind["slug"],
                kind["duration_minutes"],
                visit.start,
                end,
                desk,
                now,
            )
        except asyncpg.ExclusionViolationError:
            raise Refused(409, "The time is taken.") from None
        client_ip = request.client.host if request.client else None
        await conn.execute(
            AUDIT, now, desk, claims["role"], visit.patient_id, str(appointment_id), client_ip,
            request_id,
        )  # fmt: skip
    return answer(appointment_id, visit, kind, clinic["slug"], zone, end, desk, now)


def inside(
    start: datetime, end: datetime, hours: list[tuple[clock, clock]], day: date, zone: ZoneInfo
) -> bool:
    """Whether start..end falls within one stretch of the wall-clock hours on that day."""
    return any(
        first_instant_at(day, opens, zone) <= start and end <= first_instant_at(day, closes, zone)
        for opens, closes in hours
    )


def answer(
    appointment_id: uuid.UUID,
    visit: Asked,
    kind: asyncpg.Record,
    location: str,
    zone: ZoneInfo,
    end: datetime,
    desk: uuid.UUID,
    now: datetime,
) -> dict[str, Any]:
    """The service's `AppointmentBooked` body, built by hand."""
    return {
        "id": appointment_id,
        "patient_id": visit.patient_id,
        "therapist_id": visit.therapist_id,
        "location": location,
        "room": None,
        "type": kind["slug"],
        "duration_minutes": kind["duration_minutes"],
        "start": visit.start.astimezone(zone),
        "end": end.astimezone(zone),
        "status": "booked",
        "moves": moves_from("booked"),
        "plan_id": None,
        "series_id": None,
        "cancel_reason": None,
        "cancelled_at": None,
        "late_cancellation": False,
        "version": 1,
        "created_by": desk,
        "created_at": now,
        "updated_at": now,
        "warnings": [],
    }


def problem(refused: Refused, request_id: str) -> Response:
    body = {"type": "about:blank", "status": refused.status, "detail": refused.detail}
    return Response(
        json.dumps(body),
        refused.status,
        {"x-request-id": request_id},
        media_type="application/problem+json",
    )


app = build_app()
