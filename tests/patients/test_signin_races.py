"""Races on committed data with real concurrent requests: parallel password guesses against
the throttle (matrix row D6c), staff behind one address signing in together, and a refresh
racing the change that must end its session."""

import asyncio
import threading
import time
import uuid
from collections import Counter
from functools import partial

import httpx
import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from services.common.columns import utcnow
from services.patients.identity import signin
from services.patients.models import RefreshToken
from tests.factories import PASSWORD, bearer, make_account, token_for

NEW_PASSWORD = "calcaneus-Spur-Relief-73"


def client_api(app, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://patients.test")


def fresh_address() -> str:
    """An address of this test's own: committed throttle rows outlive the test."""
    n = uuid.uuid4().int
    return f"10.{n % 251}.{(n >> 8) % 251}.{(n >> 16) % 251 + 1}"


async def sign_in(api, email: str, password: str):
    return await api.post("/v1/auth/token", data={"username": email, "password": password})


async def refresh(api, token: str):
    data = {"grant_type": "refresh_token", "refresh_token": token}
    return await api.post("/v1/auth/token", data=data)


# -- D6c: parallel guesses ----------------------------------------------------------------------


async def test_parallel_wrong_passwords_reach_the_check_at_most_the_threshold(
    apps, committed_apis, committed_db, monkeypatch
):
    """The third failure from one address sets a wait, and an attempt is counted before its
    password is checked: of 25 parallel guesses, exactly 3 are checked; 22 get 429. (The
    service's clock stands still, so the 2-second wait cannot pass on a slow machine.)"""
    account = await make_account(committed_db, role="therapist")
    frozen = utcnow()
    monkeypatch.setattr(signin, "utcnow", lambda: frozen)
    checked = []
    real_check = signin.verify_password

    def counting_check(password_hash, password):
        checked.append(password)
        return real_check(password_hash, password)

    monkeypatch.setattr(signin, "verify_password", counting_check)
    async with client_api(apps["patients"], fresh_address()) as guesser:
        answers = await asyncio.gather(
            *(sign_in(guesser, account.email, f"wrong-guess-{n:02}") for n in range(25))
        )
    assert Counter(a.status_code for a in answers) == {401: 3, 429: 22}
    assert {a.headers.get("retry-after") for a in answers if a.status_code == 429} == {"2"}
    assert len(checked) == 3


class SlowCheck:
    """A password check that takes 0.3 s (argon2 at production cost takes ~0.2 s) and
    remembers the most checks that were running at once."""

    def __init__(self) -> None:
        self.real = signin.verify_password
        self.lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0

    def __call__(self, password_hash, password):
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(0.3)
            return self.real(password_hash, password)
        finally:
            with self.lock:
                self.running -= 1


async def test_staff_behind_one_address_sign_in_together_without_queueing(
    apps, committed_apis, committed_db, monkeypatch
):
    """Ten staff behind one clinic's NAT sign in at opening time: every one gets in, and
    their password checks overlap (an attempt's count holds no lock through the check)."""
    accounts = [await make_account(committed_db, role="therapist") for _ in range(10)]
    check = SlowCheck()
    monkeypatch.setattr(signin, "verify_password", check)
    async with client_api(apps["patients"], fresh_address()) as clinic:
        answers = await asyncio.gather(
            *(sign_in(clinic, account.email, PASSWORD) for account in accounts)
        )
    assert [a.status_code for a in answers] == [200] * 10
    assert check.most_at_once > 1


# -- a refresh racing the change that ends the account's sessions ---------------------------------


async def live_tokens(db, user_id: uuid.UUID) -> int:
    statement = select(func.count()).where(
        RefreshToken.user_id == user_id,
        col(RefreshToken.used_at).is_(None),
        col(RefreshToken.revoked_at).is_(None),
    )
    return (await db.exec(statement)).one()


async def change_password(api, tokens):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    return await api.post(
        "/v1/users/me/password", json=body, headers=bearer(tokens["access_token"])
    )


async def disable_and_enable_again(api, admin, account):
    disabled = await api.post(f"/v1/users/{account.id}/disable", headers=admin)
    await api.post(f"/v1/users/{account.id}/enable", headers=admin)
    return disabled


class HeldRefresh:
    """Holds every refresh inside its transaction, after it has read the account and before
    it issues the rotated token, long enough for a concurrent change to run into it."""

    def __init__(self) -> None:
        self.inside = asyncio.Event()
        self.real_issue = signin.issue_refresh_token

    async def issue(self, session, **kw):
        if kw.get("family") is not None:  # a refresh, not a sign-in
            self.inside.set()
            await asyncio.sleep(0.2)
        return await self.real_issue(session, **kw)


async def race(api, tokens, held: HeldRefresh, change):
    """A refresh and, once the refresh is inside, the change: both answers."""
    held.inside.clear()

    async def change_while_refreshing():
        await held.inside.wait()
        return await change()

    return await asyncio.gather(refresh(api, tokens["refresh_token"]), change_while_refreshing())


@pytest.mark.parametrize("change", ["password", "disable"])
async def test_a_refresh_racing_a_session_ending_change_does_not_survive_it(
    apps, committed_apis, committed_db, monkeypatch, change
):
    """Whatever the interleaving, no token issued before the change works after it."""
    admin = bearer(token_for(apps, await make_account(committed_db, role="admin")))
    held = HeldRefresh()
    monkeypatch.setattr(signin, "issue_refresh_token", held.issue)
    for _ in range(3):
        account = await make_account(committed_db, role="therapist")
        async with client_api(apps["patients"], fresh_address()) as api:
            tokens = (await sign_in(api, account.email, PASSWORD)).json()
            if change == "password":
                ending = partial(change_password, api, tokens)
            else:
                ending = partial(disable_and_enable_again, api, admin, account)
            refreshed, changed = await race(api, tokens, held, ending)
            assert (refreshed.status_code, changed.status_code) == (
                200,
                204 if change == "password" else 200,
            )
            assert (await refresh(api, refreshed.json()["refresh_token"])).status_code == 401
        assert await live_tokens(committed_db, account.id) == 0


async def un_revoke(db, user_id: uuid.UUID) -> None:
    """As if the revocation had missed the account's tokens: only their age refuses them."""
    await db.exec(
        update(RefreshToken).where(RefreshToken.user_id == user_id).values(revoked_at=None)
    )
    await db.commit()


async def test_a_token_of_a_family_begun_before_the_last_password_change_is_refused(
    patients_api, db
):
    """Even a token the revocation missed: its family began before the password changed."""
    account = await make_account(db, role="therapist")
    tokens = (await sign_in(patients_api, account.email, PASSWORD)).json()
    rotated = (await refresh(patients_api, tokens["refresh_token"])).json()["refresh_token"]
    assert (await change_password(patients_api, tokens)).status_code == 204
    await un_revoke(db, account.id)
    assert (await refresh(patients_api, rotated)).status_code == 401
    later = (await sign_in(patients_api, account.email, NEW_PASSWORD)).json()
    assert (await refresh(patients_api, later["refresh_token"])).status_code == 200


async def test_a_token_of_a_family_begun_before_the_last_disable_is_refused(patients_api, db, apps):
    """Disabling ends the account's sessions for good, not only while it stays disabled: a
    token the revocation missed is still refused once the account is enabled again."""
    account = await make_account(db, role="therapist")
    admin = bearer(token_for(apps, await make_account(db, role="admin")))
    tokens = (await sign_in(patients_api, account.email, PASSWORD)).json()
    rotated = (await refresh(patients_api, tokens["refresh_token"])).json()["refresh_token"]
    assert (await patients_api.post(f"/v1/users/{account.id}/disable", headers=admin)).is_success
    await un_revoke(db, account.id)
    assert (await patients_api.post(f"/v1/users/{account.id}/enable", headers=admin)).is_success
    assert (await refresh(patients_api, rotated)).status_code == 401
    later = (await sign_in(patients_api, account.email, PASSWORD)).json()
    assert (await refresh(patients_api, later["refresh_token"])).status_code == 200
