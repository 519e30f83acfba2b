"""An extra copy of a service, built with settings of the test's own, for fault tests that
need a pool, timeouts or a database address the shared apps do not have."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.common.settings import ServiceSettings
from services.plans.main import build_app as build_plans


@asynccontextmanager
async def plans_with(
    settings: ServiceSettings,
    apps: dict[str, FastAPI],
    *,
    calls_to: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The plans service on these settings. Its calls (the JWKS) go to `calls_to`, by default
    to the suite's patients service. These copies test keys, pools and timeouts, not the
    account check (tests/common/test_account_check.py), so they skip it: the tokens they
    present name no real account, and their fake patients service answers only the JWKS."""
    settings = settings.model_copy(update={"check_accounts": False})
    app = build_plans(settings, http_transport=calls_to or apps["plans"].state.http._transport)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://plans.test") as client,
    ):
        yield app, client


def therapist_headers(apps: dict[str, FastAPI]) -> dict[str, str]:
    token = apps["patients"].state.signer.access_token(
        user_id=uuid.uuid4(), role="therapist", patient_id=None
    )
    return {"Authorization": f"Bearer {token}"}
