"""Sign-in throttling (matrix row D6): slow down, then lock; per account and per client
address; kept in PostgreSQL so replicas share it."""

import httpx
import pytest
from sqlalchemy import update

from services.patients.main import build_app
from services.patients.models import SignInThrottle
from tests.factories import PASSWORD, make_account


async def attempt(api, email, password="wrong-password-here"):
    return await api.post("/v1/auth/token", data={"username": email, "password": password})


async def unlock(db, key):
    """Let the short slow-down pass without sleeping: move locked_until into the past."""
    await db.exec(update(SignInThrottle).where(SignInThrottle.key == key).values(locked_until=None))
    await db.commit()


def client_api(app, ip):
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://patients.test")


async def test_failures_slow_down_then_lock_the_account(patients_api, db):
    account = await make_account(db, role="therapist")
    for _ in range(3):
        assert (await attempt(patients_api, account.email)).status_code == 401
    slowed = await attempt(patients_api, account.email)
    assert slowed.status_code == 429
    assert 1 <= int(slowed.headers["retry-after"]) <= 2
    await unlock(db, f"account:{account.email}")
    assert (await attempt(patients_api, account.email)).status_code == 401  # 4th failure
    await unlock(db, f"account:{account.email}")
    assert (await attempt(patients_api, account.email)).status_code == 401  # 5th: locked now
    locked = await attempt(patients_api, account.email, PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert 890 <= int(locked.headers["retry-after"]) <= 900
    assert locked.json()["detail"] == "Too many failed sign-ins; wait before trying again."


async def test_unknown_accounts_are_throttled_the_same_way(patients_api):
    for _ in range(3):
        assert (await attempt(patients_api, "ghost@clinic.example")).status_code == 401
    assert (await attempt(patients_api, "ghost@clinic.example")).status_code == 429


async def test_a_success_clears_the_account_count(patients_api, db):
    account = await make_account(db, role="front_desk")
    for _ in range(2):
        await attempt(patients_api, account.email)
    assert (await attempt(patients_api, account.email, PASSWORD)).status_code == 200
    for _ in range(2):
        assert (await attempt(patients_api, account.email)).status_code == 401


async def test_one_client_address_trying_many_accounts_is_locked(apps, db):
    async with (
        client_api(apps["patients"], "203.0.113.9") as spray,
        client_api(apps["patients"], "198.51.100.7") as other,
    ):
        for n in range(20):
            response = await attempt(spray, f"user{n}@clinic.example")
            if response.status_code == 429:
                await unlock(db, "client:203.0.113.9")
                response = await attempt(spray, f"user{n}@clinic.example")
            assert response.status_code == 401, n
        assert (await attempt(spray, "someone@clinic.example")).status_code == 429
        account = await make_account(db, role="therapist")
        assert (
            await attempt(other, account.email, PASSWORD)
        ).status_code == 200  # others unaffected


async def test_the_count_is_shared_by_every_replica(apps, db, settings):
    """Two instances of the patients service (two replicas) see one lock."""
    from services.common.database import open_session

    second = build_app(settings)
    second.dependency_overrides[open_session] = apps["patients"].dependency_overrides[open_session]
    account = await make_account(db, role="therapist")
    async with (
        second.router.lifespan_context(second),
        client_api(apps["patients"], "192.0.2.1") as one,
        client_api(second, "192.0.2.2") as two,
    ):
        for api in (one, two, one):
            assert (await attempt(api, account.email)).status_code == 401
        assert (await attempt(two, account.email, PASSWORD)).status_code == 429


@pytest.mark.parametrize("email", ["Known@Clinic.example", "nobody-here@clinic.example"])
async def test_failures_are_audited(patients_api, db, apps, email):
    from sqlmodel import select

    from services.patients.models import AuditEvent

    await make_account(db, role="therapist", email="known@clinic.example")
    await attempt(patients_api, email)
    rows = (await db.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in"))).all()
    assert [(r.outcome, r.detail["email"]) for r in rows][-1] == ("failure", email.lower())


def test_waits_stay_short_enough_to_reach_the_lock_inside_the_window():
    from services.patients.signin import ACCOUNT_POLICY, CLIENT_POLICY

    for policy in (ACCOUNT_POLICY, CLIENT_POLICY):
        waits = [policy.lock_for(n) for n in range(1, policy.lock_after)]
        total = sum(w.total_seconds() for w in waits if w)
        assert total < policy.window.total_seconds()
        assert max(w for w in waits if w) < policy.lock
        assert policy.lock_for(policy.lock_after) == policy.lock
