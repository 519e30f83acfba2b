"""Service identity in services/common: the token source, the client that sends its tokens,
the settings that hold the secrets, and users and services kept to their own routes."""

import asyncio
import json
import stat
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from services.common.errors import BadGateway, DependencyUnavailable
from services.common.identity import ServiceTokenSource
from services.common.service_client import ServiceClient
from services.patients.settings import PatientsSettings as Settings
from services.plans.main import build_app as build_plans
from services.plans.settings import PlansSettings
from services.scheduling.settings import SchedulingSettings
from tests.clock import SecondsClock
from tests.common.apps import shared_values
from tests.factories import bearer, headers_for

TOKEN_URL = "http://patients.test/v1/auth/token"
SECRET = "s" * 43


class FakeIssuer:
    """The patients service's token endpoint, faked: counts the grants it answers."""

    def __init__(self, *, expires_in: int = 300, status: int = 200, delay: float = 0.0):
        self.expires_in, self.status, self.delay = expires_in, status, delay
        self.grants: list[dict[str, list[str]]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.grants.append(parse_qs(request.content.decode()))
        await asyncio.sleep(self.delay)
        if self.status != 200:
            return httpx.Response(self.status, json={"detail": "no"})
        body = {"access_token": f"token-{len(self.grants)}", "token_type": "bearer"}
        return httpx.Response(200, json=body | {"expires_in": self.expires_in})


def _source(issuer, clock=None) -> ServiceTokenSource:
    http = httpx.AsyncClient(transport=httpx.MockTransport(issuer))
    return ServiceTokenSource(
        http, TOKEN_URL, client_id="plans", client_secret=SECRET, clock=clock or SecondsClock()
    )


# -- the token source -------------------------------------------------------------------------


async def test_the_source_asks_with_client_credentials_and_caches_the_token():
    issuer = FakeIssuer()
    source = _source(issuer)
    assert await source.token() == "token-1"
    assert await source.token() == "token-1"
    assert issuer.grants == [
        {"grant_type": ["client_credentials"], "client_id": ["plans"], "client_secret": [SECRET]}
    ]


async def test_the_source_renews_shortly_before_expiry():
    issuer, clock = FakeIssuer(expires_in=300), SecondsClock()
    source = _source(issuer, clock)
    await source.token()
    clock.now += 300 - 31  # still fresh
    assert await source.token() == "token-1"
    clock.now += 2  # within 30 s of the end: renewed before it can expire in flight
    assert await source.token() == "token-2"


async def test_concurrent_requests_share_one_grant():
    issuer = FakeIssuer(delay=0.05)
    source = _source(issuer)
    tokens = await asyncio.gather(*(source.token() for _ in range(20)))
    assert set(tokens) == {"token-1"} and len(issuer.grants) == 1


async def test_forget_makes_the_next_call_ask_again():
    issuer = FakeIssuer()
    source = _source(issuer)
    await source.token()
    source.forget()
    assert await source.token() == "token-2"


@pytest.mark.parametrize("status", [401, 400, 500, 503])
async def test_a_refused_or_failed_grant_is_a_503(status):
    with pytest.raises(DependencyUnavailable):
        await _source(FakeIssuer(status=status)).token()


async def test_an_unreachable_issuer_is_a_503():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(DependencyUnavailable):
        await _source(refuse).token()


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"access_token": 3, "expires_in": 60}'])
async def test_an_unusable_grant_answer_is_a_502(body):
    source = _source(lambda request: httpx.Response(200, content=body))
    with pytest.raises(BadGateway):
        await source.token()


# -- the service client sends it ----------------------------------------------------------------


class FakePatients:
    """A service that accepts only the given bearer tokens and records what it was sent."""

    def __init__(self, *accepted: str, issues: tuple[str, ...] = ("svc-new",)) -> None:
        self.accepted, self.issues, self.seen = set(accepted), list(issues), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/token":
            token = self.issues.pop(0)
            return httpx.Response(200, json={"access_token": token, "expires_in": 300})
        self.seen.append(request.headers.get("authorization"))
        if request.headers.get("authorization", "").removeprefix("Bearer ") in self.accepted:
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(401, json={"detail": "no"})


def _client(fake: FakePatients) -> tuple[ServiceClient, ServiceTokenSource]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    tokens = ServiceTokenSource(http, TOKEN_URL, client_id="plans", client_secret=SECRET)
    return ServiceClient(http, "http://patients.test", name="patients", tokens=tokens), tokens


class Thing(BaseModel):
    ok: bool


async def test_the_client_calls_as_the_service_unless_it_forwards_a_users_token():
    fake = FakePatients("svc-new", "user-token")
    client, _ = _client(fake)
    assert (await client.get("/v1/thing", Thing)) == Thing(ok=True)
    assert (await client.get("/v1/thing", Thing, token="user-token")) == Thing(ok=True)
    assert fake.seen == ["Bearer svc-new", "Bearer user-token"]


async def test_a_refused_service_token_is_renewed_once():
    """After the patients service changes its signing key, our cached token stops working."""
    fake = FakePatients("svc-new", issues=("svc-old", "svc-new"))
    client, _ = _client(fake)
    assert (await client.get("/v1/thing", Thing)) == Thing(ok=True)
    assert fake.seen == ["Bearer svc-old", "Bearer svc-new"]


async def test_a_refused_users_token_is_not_retried():
    fake = FakePatients()
    client, _ = _client(fake)
    with pytest.raises(BadGateway):
        await client.get("/v1/thing", Thing, token="user-token")
    assert fake.seen == ["Bearer user-token"]


# -- users and services on each other's routes, in plans and scheduling -------------------------


async def _service_token(apps, service: str) -> str:
    settings = apps["patients"].state.settings
    transport = httpx.ASGITransport(app=apps["patients"])
    async with httpx.AsyncClient(transport=transport, base_url="http://patients.test") as api:
        form = {"grant_type": "client_credentials", "client_id": service}
        form["client_secret"] = settings.client_secret(service)
        return (await api.post("/v1/auth/token", data=form)).json()["access_token"]


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("plans", "/v1/exercises"),
        ("plans", "/v1/exercises/ankle-alphabet"),
        ("scheduling", "/v1/locations"),
        ("scheduling", "/v1/locations/gaithersburg"),
        ("scheduling", "/v1/appointment-types"),
    ],
)
async def test_a_service_token_on_a_user_route_is_403(apis, apps, db, service, path):
    token = await _service_token(apps, "plans" if service == "scheduling" else "scheduling")
    response = await apis[service].get(path, headers=bearer(token))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    user = await apis[service].get(path, headers=await headers_for(db, apps, "therapist"))
    assert user.status_code in (200, 404)


async def test_a_plans_service_with_only_its_own_secret_signs_in_and_serves(
    monkeypatch, settings, apps, db
):
    """The plans process reads CLINIC_PLANS_CLIENT_SECRET alone, and that is enough: it gets
    its service token and checks a user's account with it."""
    monkeypatch.setenv("CLINIC_PLANS_CLIENT_SECRET", settings.client_secret("plans"))
    monkeypatch.delenv("CLINIC_SCHEDULING_CLIENT_SECRET", raising=False)
    plans = build_plans(
        PlansSettings(**shared_values(settings)), http_transport=apps["plans"].state.http._transport
    )
    transport = httpx.ASGITransport(app=plans)
    async with (
        plans.router.lifespan_context(plans),
        httpx.AsyncClient(transport=transport, base_url="http://plans.test") as api,
    ):
        assert plans.state.settings.check_accounts
        response = await api.get("/v1/exercises", headers=await headers_for(db, apps, "therapist"))
        assert response.status_code == 200, response.text
        assert await plans.state.service_tokens.token()


# -- settings -----------------------------------------------------------------------------------

PRODUCTION = {
    "env": "production",
    "database_url": "postgresql://clinic:pw@db:5432/clinic",
    "jwt_issuer": "https://clinic.example.org",
}
STRONG_A, STRONG_B = "a" * 43, "b" * 43


def _settings(service: str | None, **values):
    """The settings class that process reads: each service its own; the admin CLI (the
    migration job) reads the patients class without being the patients service."""
    if service in ("plans", "scheduling"):
        return {"plans": PlansSettings, "scheduling": SchedulingSettings}[service](**values)
    return Settings(service_name=service, **values)


@pytest.mark.parametrize(
    ("service", "secrets"),
    [
        ("patients", {"plans_client_secret": STRONG_A, "scheduling_client_secret": STRONG_B}),
        ("plans", {"client_secret": STRONG_A}),
        ("scheduling", {"client_secret": STRONG_B}),
        (None, {}),  # the migration job: no service identity needed
    ],
)
def test_production_starts_with_the_secrets_each_service_needs(service, secrets):
    settings = _settings(service, **PRODUCTION, **secrets)
    for name, secret in secrets.items():
        assert getattr(settings, name).get_secret_value() == secret


@pytest.mark.parametrize(
    ("service", "secrets", "complaint"),
    [
        ("patients", {"plans_client_secret": STRONG_A}, "CLINIC_SCHEDULING_CLIENT_SECRET"),
        ("plans", {}, "CLINIC_PLANS_CLIENT_SECRET"),
        # Another service's secret is no field of scheduling's: it is ignored.
        ("scheduling", {"plans_client_secret": STRONG_A}, "CLINIC_SCHEDULING_CLIENT_SECRET"),
        ("plans", {"client_secret": "short-secret"}, "CLINIC_PLANS_CLIENT_SECRET"),
        (
            "patients",
            {"plans_client_secret": STRONG_A, "scheduling_client_secret": STRONG_A},
            "differ",
        ),
    ],
)
def test_production_refuses_missing_weak_or_shared_secrets(service, secrets, complaint):
    with pytest.raises(ValidationError, match=complaint):
        _settings(service, **PRODUCTION, **secrets)


@pytest.mark.parametrize("service", ["patients", "plans", "scheduling", None])
def test_production_refuses_to_turn_the_account_check_off(service):
    with pytest.raises(ValidationError, match="CLINIC_CHECK_ACCOUNTS"):
        _settings(service, **PRODUCTION, check_accounts=False)


def test_the_secrets_never_show_in_a_repr():
    settings = Settings(plans_client_secret=STRONG_A, scheduling_client_secret=STRONG_B)
    assert STRONG_A not in repr(settings) and STRONG_B not in str(settings.model_dump())
    plans = PlansSettings(client_secret=STRONG_A)
    assert STRONG_A not in repr(plans) and STRONG_A not in str(plans.model_dump())


# -- make run generates them once -----------------------------------------------------------------


def test_make_run_generates_the_client_secrets_once_and_keeps_them(tmp_path, monkeypatch):
    from ops import run

    monkeypatch.setattr(run, "DATA", tmp_path / "data")
    first = run._dev_client_secrets()
    again = run._dev_client_secrets()
    assert first == again
    assert set(first) == {"CLINIC_PLANS_CLIENT_SECRET", "CLINIC_SCHEDULING_CLIENT_SECRET"}
    assert len(set(first.values())) == 2 and all(len(v) >= 32 for v in first.values())
    kept = tmp_path / "data" / "service-clients.json"
    assert json.loads(kept.read_text()) == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert run._service_env() | first == run._service_env()


def test_an_unknown_service_name_is_not_a_client():
    settings = Settings(plans_client_secret=STRONG_A)
    assert settings.client_secret("billing") is None
    assert settings.client_secret("scheduling") is None
