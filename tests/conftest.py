"""Test set-up: a real PostgreSQL built by the migrations, the three apps in-process, and
per-test isolation: one transaction rolled back per test (`db` and the `*_api` clients), or,
for races between concurrent requests, real commits (`committed_db`, `committed_apis`)."""

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import argon2
import httpx
import pytest
import stamina
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.database import committing, open_session, own_transactions
from services.patients.identity.passwords import use_hasher
from services.patients.identity.tokens import generate_private_key_pem
from services.patients.main import build_app as build_patients
from services.patients.settings import PatientsSettings
from services.plans.main import build_app as build_plans
from services.scheduling.main import build_app as build_scheduling
from tests.common.apps import own_settings
from tests.database import TestServer, clone_template, create_empty, drop
from tests.transport import ServiceRouter

SERVICE_HOSTS = {
    "patients": "patients.test",
    "plans": "plans.test",
    "scheduling": "scheduling.test",
}


# -- one server per run (controller), one database per worker --------------------------------


def pytest_configure(config: pytest.Config) -> None:
    # argon2 at production cost takes ~0.2 s a hash; the suite hashes thousands of times.
    use_hasher(PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))
    # Calls between services retry without waiting (their total time budget still holds).
    stamina.set_testing(True, attempts=3, cap=True)
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller has the server
    server = TestServer()
    server.build_template()
    config.stash[_SERVER] = server
    os.environ["CLINIC_TEST_BASE_URL"] = server.base_url


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:  # xdist: hand each worker the server
    node.workerinput["clinic_base_url"] = os.environ["CLINIC_TEST_BASE_URL"]  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(_SERVER, None)
    if server is not None:
        server.stop()


_SERVER = pytest.StashKey[TestServer]()


def _worker(config: pytest.Config) -> tuple[str, str]:
    """The server's URL and this worker's name."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput:
        return workerinput["clinic_base_url"], workerinput["workerid"]
    return os.environ["CLINIC_TEST_BASE_URL"], "main"


@pytest.fixture(scope="session")
async def database_url(request: pytest.FixtureRequest) -> str:
    base, worker = _worker(request.config)
    return await clone_template(base, f"clinic_test_{worker}")


@pytest.fixture
async def empty_database(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A brand-new database with nothing in it, dropped afterwards."""
    base, worker = _worker(request.config)
    name = f"clinic_scratch_{worker}"
    yield await create_empty(base, name)
    await drop(base, name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> PatientsSettings:
    return PatientsSettings(
        env="test",
        database_url=database_url,
        jwt_private_key=generate_private_key_pem(),
        jwt_issuer="http://patients.test",
        patients_url="http://patients.test",
        plans_url="http://plans.test",
        scheduling_url="http://scheduling.test",
        db_pool_size=5,
        log_level="WARNING",
        plans_client_secret=secrets.token_urlsafe(32),
        scheduling_client_secret=secrets.token_urlsafe(32),
        account_check_seconds=0,  # no cache: a disable shows on the very next request
    )


@pytest.fixture(scope="session")
async def engine(settings: PatientsSettings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(settings.async_database_url, pool_size=5)
    yield engine
    await engine.dispose()


# -- the three services, in-process, calling each other through ASGI ------------------------


@pytest.fixture(scope="session")
async def apps(settings: PatientsSettings) -> AsyncIterator[dict[str, object]]:
    router = ServiceRouter()
    built = {
        "patients": build_patients(settings, http_transport=router),
        "plans": build_plans(own_settings("plans", settings), http_transport=router),
        # No relay in the background: the tests relay visit outcomes when they choose.
        "scheduling": build_scheduling(
            own_settings("scheduling", settings).model_copy(
                update={"visit_outcome_relay_seconds": 0}
            ),
            http_transport=router,
        ),
    }
    for name, app in built.items():
        router.mount(SERVICE_HOSTS[name], app)
    async with router.running():
        yield built


def _client(app: object, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=f"http://{host}")


@pytest.fixture
async def patients_api(
    apps: dict[str, object], db: AsyncSession
) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(apps["patients"], SERVICE_HOSTS["patients"]) as client:
        yield client


@pytest.fixture
async def plans_api(apps: dict[str, object], db: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(apps["plans"], SERVICE_HOSTS["plans"]) as client:
        yield client


@pytest.fixture
async def scheduling_api(
    apps: dict[str, object], db: AsyncSession
) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(apps["scheduling"], SERVICE_HOSTS["scheduling"]) as client:
        yield client


@pytest.fixture
def apis(patients_api, plans_api, scheduling_api) -> dict[str, httpx.AsyncClient]:
    return {"patients": patients_api, "plans": plans_api, "scheduling": scheduling_api}


# -- isolation --------------------------------------------------------------------------------


def _savepoint_session(conn: AsyncConnection) -> AsyncSession:
    return AsyncSession(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")


@pytest.fixture
async def db(engine: AsyncEngine, apps: dict[str, object]) -> AsyncIterator[AsyncSession]:
    """A session for factories; every request of the test joins the same outer transaction,
    which is rolled back at the end, so tests never see each other's rows. A request's "own"
    transactions (the sign-in throttle's counts) are savepoints of it too."""
    async with engine.connect() as conn:
        outer = await conn.begin()

        async def request_session() -> AsyncIterator[AsyncSession]:
            async with committing(_savepoint_session(conn)) as session:
                yield session

        def own_transaction() -> AbstractAsyncContextManager[AsyncSession]:
            return committing(_savepoint_session(conn))

        for app in apps.values():
            app.dependency_overrides[open_session] = request_session  # type: ignore[attr-defined]
            app.dependency_overrides[own_transactions] = lambda: own_transaction  # type: ignore[attr-defined]
        try:
            async with _savepoint_session(conn) as session:
                yield session
        finally:
            for app in apps.values():
                app.dependency_overrides.clear()  # type: ignore[attr-defined]
            await outer.rollback()


# -- real commits, for races ------------------------------------------------------------------


@pytest.fixture
async def committed_db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose commits are real. Tests using it create uniquely named data: nothing
    is rolled back (the worker's database is thrown away at the end of the run)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
async def committed_apis(apps: dict[str, object]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """Clients whose requests each get their own connection and commit, as in production."""
    for app in apps.values():
        app.dependency_overrides.clear()  # type: ignore[attr-defined]
    async with (
        _client(apps["patients"], SERVICE_HOSTS["patients"]) as patients,
        _client(apps["plans"], SERVICE_HOSTS["plans"]) as plans,
        _client(apps["scheduling"], SERVICE_HOSTS["scheduling"]) as scheduling,
    ):
        yield {"patients": patients, "plans": plans, "scheduling": scheduling}
