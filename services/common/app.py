"""The app factory every service uses: same middleware, errors, health and lifespan."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.account_check import (
    REMOTE_CHECK_ANSWERS,
    AccountCheck,
    NoAccountCheck,
    remote_account_check,
)
from services.common.auth import KeySet, RemoteKeySet, TokenVerifier
from services.common.database import build_engine, install_database_handlers
from services.common.errors import PROBLEM, PROBLEM_JSON, install_problem_handlers, problem_body
from services.common.identity import service_token_source
from services.common.logs import configure_logging
from services.common.middleware import RequestContextMiddleware
from services.common.openapi import install_openapi
from services.common.service_client import CallPolicy, ServiceClient
from services.common.settings import HttpSettings, ServiceSettings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
log = logging.getLogger("clinic.app")
UNDEFINED_TABLE = "42P01"

StartupHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]
KeySetFactory = Callable[[FastAPI], KeySet]
AccountCheckFactory = Callable[[FastAPI], AccountCheck]


class Health(BaseModel):
    status: str
    service: str


class Readiness(Health):
    database: str
    schema_revision: str | None


def migration_head() -> str | None:
    """The newest revision in migrations/, which /readyz compares with the database."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def _remote_keys(app: FastAPI) -> KeySet:
    settings: ServiceSettings = app.state.settings
    policy = CallPolicy.from_settings(settings)
    patients = ServiceClient(app.state.http, settings.patients_url, name="patients", policy=policy)
    return RemoteKeySet(patients, ttl=settings.jwks_cache_seconds)


def build_http_client(
    settings: HttpSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    timeout = httpx.Timeout(
        connect=settings.http_connect_timeout,
        read=settings.http_read_timeout,
        write=settings.http_read_timeout,
        pool=settings.http_connect_timeout,
    )
    # Idle connections are dropped well before uvicorn's 5 s keep-alive timeout, so we never
    # send a request down a connection the other service is closing at that moment.
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=50, keepalive_expiry=2.0)
    return httpx.AsyncClient(
        timeout=timeout, limits=limits, transport=transport, follow_redirects=False
    )


def create_app(
    *,
    service: str,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    settings: ServiceSettings | None = None,
    key_set: KeySetFactory = _remote_keys,
    account_check: AccountCheckFactory = remote_account_check,
    on_startup: StartupHook | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(service, settings.log_level)
        app.state.engine = build_engine(settings)
        app.state.http = build_http_client(settings, http_transport)
        app.state.schema_head = migration_head()
        async with AsyncExitStack() as stack:
            stack.push_async_callback(app.state.engine.dispose)
            stack.push_async_callback(app.state.http.aclose)
            if on_startup is not None:
                await stack.enter_async_context(on_startup(app))
            app.state.verifier = TokenVerifier(
                key_set(app),
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                leeway=settings.jwt_leeway_seconds,
            )
            app.state.service_tokens = service_token_source(settings, service, app.state.http)
            checks = settings.check_accounts
            app.state.account_check = account_check(app) if checks else NoAccountCheck()
            yield

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    # Swagger UI signs in where tokens are issued: the patients service's public URL.
    asks_patients = settings.check_accounts and account_check is remote_account_check
    install_openapi(
        app,
        token_url=settings.jwt_issuer.rstrip("/") + "/v1/auth/token",
        account_check_answers=REMOTE_CHECK_ANSWERS if asks_patients else (),
    )
    app.state.settings = settings
    app.state.service = service
    install_problem_handlers(app)
    install_database_handlers(app)
    app.include_router(_health_router(service))
    for router in routers:
        app.include_router(router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "X-Request-ID",
                "Idempotency-Key",
            ],
            expose_headers=["ETag", "X-Request-ID", "Retry-After"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        trusted_proxies=settings.trusted_proxies,
    )
    return app


def _operation_id(route: APIRoute) -> str:
    """Operation ids are the route functions' names: short and fit for code generation."""
    return route.name


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", response_model=Health)
    async def healthz() -> Health:
        """The process is up."""
        return Health(status="ok", service=service)

    @router.get(
        "/readyz",
        response_model=Readiness,
        responses={503: {"description": "Not ready: no database, or not migrated.", **PROBLEM}},
    )
    async def readyz(request: Request) -> Any:
        """Ready to serve: the database answers and its schema is at the newest migration."""
        state = request.app.state
        try:
            # Bounded: a frozen database or a full pool makes the service unready, not stuck.
            async with asyncio.timeout(state.settings.db_ready_timeout):
                current = await _schema_revision(state.engine)
        except (OSError, TimeoutError, SQLAlchemyError):
            return _not_ready(request, "The database cannot be reached.")
        if current != state.schema_head:
            return _not_ready(
                request, f"The database schema is at {current}, not at {state.schema_head}."
            )
        return Readiness(status="ok", service=service, database="ok", schema_revision=current)

    return router


async def _schema_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        try:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        except ProgrammingError as exc:  # no alembic_version table: never migrated
            if getattr(exc.orig, "sqlstate", None) == UNDEFINED_TABLE:
                return None
            raise


def _not_ready(request: Request, detail: str) -> JSONResponse:
    body = problem_body(503, "not-ready", "Not ready", detail, request.url.path)
    return JSONResponse(
        body, status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "5"}
    )
