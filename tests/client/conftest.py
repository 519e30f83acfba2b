"""The client against the real in-process services, in both URL layouts (`layout`), with a
test's rolled-back database; people signed in through the client's own password grant."""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clinic_client import AsyncClinic, Clinic, RetryPolicy
from sqlmodel.ext.asyncio.session import AsyncSession

from services.patients.models import Patient, UserAccount
from tests.client.stack import LAYOUTS, Flaky, ThreadBridge, transport_of, urls_of
from tests.factories import PASSWORD, make_account

# Retries without long waits, so that a test of them takes milliseconds.
QUICK_RETRIES = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02, max_retry_after=2)


@pytest.fixture(params=LAYOUTS)
def layout(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def wire(apps: dict[str, object], db: AsyncSession, layout: str) -> Flaky:
    """Everything between the client and the services: passes every request on until a
    test scripts a failure."""
    return Flaky(transport_of(layout, apps))


class Clock:
    """The client's clock: now, unless a test moves it on."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def open_clinic(
    wire: Flaky, layout: str, clock: Clock
) -> AsyncIterator[Callable[..., AsyncClinic]]:
    """Opens async clients on the wire (closed at the end of the test)."""
    opened: list[AsyncClinic] = []

    def open_one(**options: Any) -> AsyncClinic:
        options = {"retry": QUICK_RETRIES, "clock": clock} | options
        clinic = AsyncClinic(urls_of(layout), transport=wire, **options)
        opened.append(clinic)
        return clinic

    yield open_one
    for clinic in opened:
        await clinic.aclose()


@pytest.fixture
async def open_blocking_clinic(
    wire: Flaky, layout: str, clock: Clock
) -> AsyncIterator[Callable[..., Clinic]]:
    """Opens blocking clients on the wire, to be used in a worker thread (`in_thread`)."""
    loop = asyncio.get_running_loop()
    opened: list[Clinic] = []

    def open_one(**options: Any) -> Clinic:
        options = {"retry": QUICK_RETRIES, "clock": clock} | options
        clinic = Clinic(urls_of(layout), transport=ThreadBridge(wire, loop), **options)
        opened.append(clinic)
        return clinic

    yield open_one
    for clinic in opened:
        clinic.close()


async def in_thread(story: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking client's story off the event loop, which serves its requests."""
    return await asyncio.to_thread(story, *args)


async def person(db: AsyncSession, role: str, patient: Patient | None = None) -> UserAccount:
    """An account of this role; it signs in with tests.factories.PASSWORD."""
    return await make_account(db, role=role, patient=patient)


async def signed_in(clinic: AsyncClinic, account: UserAccount, **options: Any) -> AsyncClinic:
    await clinic.sign_in(account.email, PASSWORD, **options)
    return clinic
