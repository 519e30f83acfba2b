"""The ceiling for `GET /v1/me/plans`: the least a Python app can do to give the same answer.

Bare FastAPI and asyncpg, no ORM, no middleware, no dependencies: it verifies the patient's
token offline with the same public key (the stack's JWKS, read once at start), runs the same
plan query the plans service runs (`services/plans/me/service.py`: the same columns, filter,
order and limit), writes the same audit row (`me.plans.list` with the plan ids, in the same
transaction), and answers the same JSON, dosage words included (the service's own
`dosage_in_words`). `bench/meplans.py` runs it as one uvicorn worker beside the service and
reports the service's throughput as a share of this one's.

What it leaves out, on purpose (the service pays for these; bench/README.md weighs them):
the per-request account check (cached 5 s: one call to the patients service per account
every 5 s), the connection ping on checkout, the access log line, the request-context
middleware, role dependencies and query-parameter validation.

    CEILING_DATABASE_URL=postgresql://... CEILING_JWKS='{"keys": [...]}' \\
    CEILING_ISSUER=http://127.0.0.1:8001 uvicorn bench.ceiling_me_plans:app
"""

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
from fastapi import FastAPI, Request, Response

from services.common.pagination import encode_cursor
from services.plans.content import Dosage, dosage_in_words

ALGORITHM = "EdDSA"
LIMIT = 20  # the route's default page size
DOSAGE_FIELDS = (
    "sets", "sets_max", "reps", "reps_max", "hold_seconds", "hold_seconds_max",
    "times_per_day", "days_per_week", "side",
)  # fmt: skip
PLANS = """
SELECT id, status, version, therapist_name, location, start_date, certification_end,
       frequency_per_week, duration_weeks, diagnoses, program, education, red_flag_criteria,
       patient_note
FROM plans.plan_of_care
WHERE patient_id = $1 AND status IN ('active', 'on_hold')
ORDER BY start_date DESC, id DESC
LIMIT $2
"""
AUDIT = """
INSERT INTO plans.audit_event
    (occurred_at, actor_user_id, actor_role, action, outcome, patient_id, entity_type,
     entity_id, client_ip, request_id, detail)
VALUES ($1, $2, $3, 'me.plans.list', 'success', $4, NULL, NULL, $5, $6, $7)
"""


class Verifier:
    """The service's token check, reduced to one known key set and one role."""

    def __init__(self, jwks: dict[str, Any], *, issuer: str, audience: str) -> None:
        self.keys = {k["kid"]: jwt.PyJWK(k, algorithm=ALGORITHM) for k in jwks["keys"]}
        self.issuer, self.audience = issuer, audience

    def patient(self, authorization: str | None) -> dict[str, Any] | None:
        """The token's claims if it is a valid patient token, else None."""
        claims = self.claims(authorization)
        return claims if claims and claims.get("role") == "patient" and claims.get("pid") else None

    def claims(self, authorization: str | None) -> dict[str, Any] | None:
        """The claims of a valid bearer token (signature, issuer, audience, expiry), else None."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        token = authorization[7:]
        try:
            key = self.keys.get(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=30,
                options={"require": ["exp", "iat", "sub", "iss", "aud", "role"]},
            )
        except jwt.PyJWTError:
            return None
        return dict(claims)


@dataclass(frozen=True)
class Config:
    database_url: str  # postgresql://... (asyncpg's form)
    jwks: dict[str, Any]  # the patients service's published keys
    issuer: str
    audience: str = "clinic-api"
    # The plans service's pool holds up to 30 connections (20 + 10 overflow); so may this one.
    pool_size: int = 30

    @classmethod
    def from_environment(cls) -> "Config":
        return cls(
            database_url=os.environ["CEILING_DATABASE_URL"],
            jwks=json.loads(os.environ["CEILING_JWKS"]),
            issuer=os.environ["CEILING_ISSUER"],
            audience=os.environ.get("CEILING_AUDIENCE", "clinic-api"),
            pool_size=int(os.environ.get("CEILING_POOL_SIZE", "30")),
        )


async def no_reset(connection: asyncpg.Connection) -> None:
    """Every transaction here ends before release: nothing to reset (asyncpg would send
    RESET ALL and more on every release)."""


def build_app(config: Config | None = None) -> FastAPI:
    """The ceiling app; without a config it reads the CEILING_* environment at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = config or Config.from_environment()
        app.state.verifier = Verifier(
            settings.jwks, issuer=settings.issuer, audience=settings.audience
        )
        async with asyncpg.create_pool(
            settings.database_url, min_size=1, max_size=settings.pool_size, reset=no_reset
        ) as pool:
            app.state.pool = pool
            yield

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.add_api_route("/healthz", healthz, methods=["GET"])
    app.add_api_route("/v1/me/plans", list_my_plans, methods=["GET"])
    return app


async def healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


async def list_my_plans(request: Request) -> Response:
    claims = request.app.state.verifier.patient(request.headers.get("authorization"))
    if claims is None:
        return Response(status_code=401)
    patient_id = uuid.UUID(claims["pid"])
    request_id = uuid.uuid4().hex
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(PLANS, patient_id, LIMIT + 1)
        shown = rows[:LIMIT]
        detail = json.dumps({"plan_ids": [str(row["id"]) for row in shown]})
        client_ip = request.client.host if request.client else None
        await conn.execute(
            AUDIT,
            datetime.now(UTC),
            uuid.UUID(claims["sub"]),
            "patient",
            patient_id,
            client_ip,
            request_id,
            detail,
        )
    body = {"items": [my_plan(row) for row in shown], "next_cursor": _cursor(rows)}
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        media_type="application/json",
        headers={"x-request-id": request_id, "cache-control": "no-store", "pragma": "no-cache"},
    )


def _cursor(rows: list[asyncpg.Record]) -> str | None:
    if len(rows) <= LIMIT:
        return None
    last = rows[LIMIT - 1]
    return encode_cursor([last["start_date"], last["id"]])


def my_plan(row: asyncpg.Record) -> dict[str, Any]:
    program = json.loads(row["program"])
    red_flags = json.loads(row["red_flag_criteria"])
    return {
        "id": str(row["id"]),
        "status": row["status"],
        "therapist_name": row["therapist_name"],
        "location": row["location"],
        "start_date": row["start_date"].isoformat(),
        "certification_end": row["certification_end"].isoformat(),
        "frequency_per_week": row["frequency_per_week"],
        "duration_weeks": row["duration_weeks"],
        "diagnoses": [d.get("code") for d in json.loads(row["diagnoses"])],
        "home": [my_exercise(item) for item in program if item.get("part") == "home"],
        "clinic": [my_exercise(item) for item in program if item.get("part") != "home"],
        "patient_note": row["patient_note"],
        "education": [
            {"slug": e.get("slug"), "title": e.get("title"), "text": e.get("text")}
            for e in json.loads(row["education"])
        ],
        "when_to_call": red_flags.get("advice"),
    }


def my_exercise(item: dict[str, Any]) -> dict[str, Any]:
    stored = item.get("dosage") or {}
    dosage = {name: stored.get(name) for name in DOSAGE_FIELDS}
    dosage["side"] = stored.get("side", "both")
    return {
        "slug": item.get("slug"),
        "name": item.get("name"),
        "purpose": item.get("purpose"),
        "instructions": item.get("instructions"),
        "cues": item.get("cues") or [],
        "precautions": item.get("precautions"),
        "equipment": item.get("equipment") or [],
        "dosage": dosage,
        "dosage_text": dosage_in_words(Dosage.model_construct(**dosage)),
        "patient_note": item.get("patient_note"),
    }


app = build_app()
