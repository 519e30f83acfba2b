"""An extra copy of a service, built with settings of the test's own, for fault tests that
need a pool, timeouts or a database address the shared apps do not have."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.common.settings import ServiceSettings
from services.patients.settings import PatientsSettings
from services.plans.main import build_app as build_plans
from services.plans.settings import PlansSettings
from services.scheduling.settings import SchedulingSettings

OWN_SETTINGS: dict[str, type[ServiceSettings]] = {
    "patients": PatientsSettings,
    "plans": PlansSettings,
    "scheduling": SchedulingSettings,
}


def shared_values(settings: ServiceSettings) -> dict[str, object]:
    """What every service reads (database, other services, tokens), without any secret."""
    return settings.model_dump(include=set(ServiceSettings.model_fields))


def own_settings(service: str, suite: PatientsSettings) -> ServiceSettings:
    """A service's own settings class, from the suite's values: plans and scheduling get
    their own client secret and no other's, as they would read it from the environment."""
    if service == "patients":
        return suite
    kind = OWN_SETTINGS[service]
    return kind(**shared_values(suite), client_secret=suite.client_secret(service))


@asynccontextmanager
async def plans_with(
    settings: PatientsSettings,
    apps: dict[str, FastAPI],
    *,
    calls_to: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The plans service on these settings. Its calls (the JWKS) go to `calls_to`, by default
    to the suite's patients service. These copies test keys, pools and timeouts, not the
    account check (tests/common/test_account_check.py), so they skip it: the tokens they
    present name no real account, and their fake patients service answers only the JWKS."""
    plans = own_settings("plans", settings.model_copy(update={"check_accounts": False}))
    app = build_plans(plans, http_transport=calls_to or apps["plans"].state.http._transport)
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
