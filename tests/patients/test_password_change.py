"""Changing one's own password checks the current one: that check is throttled and audited
like a sign-in, so a stolen access token cannot be used to guess the password."""

import uuid

import httpx
import pytest
from sqlmodel import select

from services.patients.models import AuditEvent
from tests.clock import Clock
from tests.factories import PASSWORD, bearer, make_account, token_for

NEW_PASSWORD = "calcaneus-Spur-Relief-73"
ADDRESS = "203.0.113.21"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    for module in ("signin", "accounts"):
        monkeypatch.setattr(f"services.patients.identity.{module}.utcnow", clock)
    return clock


@pytest.fixture
async def api(apps, db):
    transport = httpx.ASGITransport(app=apps["patients"], client=(ADDRESS, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://patients.test") as client:
        yield client


async def change(api, headers, current: str):
    body = {"current_password": current, "new_password": NEW_PASSWORD}
    return await api.post("/v1/users/me/password", json=body, headers=headers)


async def password_change_rows(db, account):
    statement = (
        select(AuditEvent)
        .where(AuditEvent.action == "user.password_change", AuditEvent.actor_user_id == account.id)
        .order_by(AuditEvent.id)
    )
    return [(row.outcome, row.client_ip) for row in (await db.exec(statement)).all()]


async def test_wrong_current_passwords_are_throttled_then_locked(api, db, apps, clock):
    account = await make_account(db, role="therapist")
    headers = bearer(token_for(apps, account))
    statuses = []
    for n in range(8):
        response = await change(api, headers, f"guess-number-{n}")
        statuses.append(response.status_code)
        if response.status_code == 429 and int(response.headers["retry-after"]) <= 30:
            clock.advance(int(response.headers["retry-after"]))
    assert statuses == [422, 422, 422, 429, 422, 429, 422, 429]
    locked = await change(api, headers, PASSWORD)  # even the right one, from this address
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 800
    clock.advance(900)
    assert (await change(api, headers, PASSWORD)).status_code == 204


async def test_failures_and_refusals_are_audited(api, db, apps, clock):
    account = await make_account(db, role="front_desk")
    headers = bearer(token_for(apps, account))
    for n in range(4):
        await change(api, headers, f"guess-number-{n}")
    assert await password_change_rows(db, account) == [
        ("failure", ADDRESS),
        ("failure", ADDRESS),
        ("failure", ADDRESS),
        ("denied", ADDRESS),
    ]


async def test_the_right_password_clears_the_count(api, db, apps, clock):
    account = await make_account(db, role="therapist")
    headers = bearer(token_for(apps, account))
    for n in range(2):
        assert (await change(api, headers, f"guess-number-{n}")).status_code == 422
    assert (await change(api, headers, PASSWORD)).status_code == 204
    body = {"current_password": "still-wrong-1", "new_password": PASSWORD + "-x"}
    for _ in range(2):
        response = await api.post("/v1/users/me/password", json=body, headers=headers)
        assert response.status_code == 422
    assert [outcome for outcome, _ in await password_change_rows(db, account)] == [
        "failure",
        "failure",
        "success",
        "failure",
        "failure",
    ]


async def test_guesses_through_sign_in_and_password_change_share_one_count(api, db, apps, clock):
    account = await make_account(db, role="therapist")
    headers = bearer(token_for(apps, account))
    for n in range(2):
        data = {"username": account.email, "password": f"guess-number-{n}"}
        assert (await api.post("/v1/auth/token", data=data)).status_code == 401
    assert (await change(api, headers, "guess-number-2")).status_code == 422
    assert (await change(api, headers, PASSWORD)).status_code == 429


async def test_a_refused_new_password_counts_no_guess(apps, committed_apis, committed_db):
    """Counts commit at once, on their own: a right current password with a new password
    that is refused (422) must not be left counted as a failure."""
    account = await make_account(committed_db, role="therapist")
    headers = bearer(token_for(apps, account))
    n = uuid.uuid4().int % 250 + 1  # committed counts outlive the test: an address of its own
    transport = httpx.ASGITransport(app=apps["patients"], client=(f"192.0.2.{n}", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://patients.test") as api:
        weak = {"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"}
        for _ in range(3):
            refused = await api.post("/v1/users/me/password", json=weak, headers=headers)
            assert refused.status_code == 422
            assert refused.json()["errors"][0]["loc"] == ["body", "new_password"]
        assert (await change(api, headers, PASSWORD)).status_code == 204
