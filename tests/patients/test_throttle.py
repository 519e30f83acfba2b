"""Sign-in throttling (matrix rows D6, D6b): the lock binds one account *and* one address;
an account alone only slows down, briefly; an address alone slows down, and locks only when
it sprays many accounts. Kept in PostgreSQL so replicas share it.

The service's clock is replaced by one the tests move forward, so a wait passes without
sleeping (and the waits themselves are checked, not skipped)."""

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from services.patients.identity import accounts
from services.patients.main import build_app
from services.patients.models import AuditEvent
from tests.clock import Clock
from tests.factories import PASSWORD, make_account

SIGN_IN_FAILED = "The email or password is wrong, or the account is disabled."
THROTTLED = "Too many failed sign-ins; wait before trying again."
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"
SHORT_WAIT = 30  # seconds: the longest an account can be held up by failures elsewhere


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("services.patients.identity.signin.utcnow", clock)
    return clock


async def attempt(api, email, password="wrong-password-here"):
    return await api.post("/v1/auth/token", data={"username": email, "password": password})


def retry_after(response) -> int:
    return int(response.headers["retry-after"])


async def patiently(api, email, clock, password="wrong-password-here", *, longest=SHORT_WAIT):
    """Try; while the answer is a short wait (at most `longest` seconds), wait it out and try
    again. The answer that is not such a wait."""
    while True:
        response = await attempt(api, email, password)
        if response.status_code != 429 or retry_after(response) > longest:
            return response
        clock.advance(retry_after(response))


def client_api(app, ip):
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://patients.test")


def email() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@clinic.example"


async def lock_out(api, address_email, clock) -> None:
    """Five wrong passwords from one address, waiting out each short slow-down."""
    for _ in range(5):
        assert (await patiently(api, address_email, clock)).status_code == 401


# -- one account from one address: slow down, then lock (D6) ----------------------------------


async def test_failures_from_one_address_slow_down_then_lock_that_pair(apps, db, clock):
    account = await make_account(db, role="therapist")
    async with client_api(apps["patients"], ATTACKER) as attacker:
        for _ in range(3):
            assert (await attempt(attacker, account.email)).status_code == 401
        slowed = await attempt(attacker, account.email)
        assert slowed.status_code == 429 and 1 <= retry_after(slowed) <= 2
        clock.advance(2)
        assert (await attempt(attacker, account.email)).status_code == 401  # 4th failure
        clock.advance(4)
        assert (await attempt(attacker, account.email)).status_code == 401  # 5th: locked now
        locked = await attempt(attacker, account.email, PASSWORD)  # even the right password
        assert locked.status_code == 429 and 890 <= retry_after(locked) <= 900
        assert locked.json()["detail"] == THROTTLED
        clock.advance(900)
        assert (await attempt(attacker, account.email, PASSWORD)).status_code == 200


async def test_unknown_accounts_are_throttled_the_same_way(patients_api, clock):
    for _ in range(3):
        assert (await attempt(patients_api, "ghost@clinic.example")).status_code == 401
    assert (await attempt(patients_api, "ghost@clinic.example")).status_code == 429


async def test_a_success_clears_the_count(patients_api, db, clock):
    account = await make_account(db, role="front_desk")
    for _ in range(2):
        await attempt(patients_api, account.email)
    assert (await attempt(patients_api, account.email, PASSWORD)).status_code == 200
    for _ in range(2):
        assert (await attempt(patients_api, account.email)).status_code == 401


# -- an attacker elsewhere cannot lock the owner out (D6b) -------------------------------------


async def test_the_owner_signs_in_from_another_address_while_the_attacker_stays_locked(
    apps, db, clock
):
    account = await make_account(db, role="therapist")
    async with (
        client_api(apps["patients"], ATTACKER) as attacker,
        client_api(apps["patients"], OWNER) as owner,
    ):
        await lock_out(attacker, account.email, clock)
        first = await attempt(owner, account.email, PASSWORD)
        assert first.status_code == 200 or (
            first.status_code == 429 and retry_after(first) <= SHORT_WAIT
        ), first.headers
        assert (await patiently(owner, account.email, clock, PASSWORD)).status_code == 200
        held = await attempt(attacker, account.email, PASSWORD)
        assert held.status_code == 429 and retry_after(held) > 800
        assert held.json()["detail"] == THROTTLED


async def test_failures_from_many_addresses_only_ever_slow_the_account_down(apps, db, clock):
    """A distributed guesser gets the account slowed down, in waits of at most 30 s; never
    the long lock that would shut its owner out."""
    account = await make_account(db, role="therapist")
    waits = []
    for n in range(40):
        async with client_api(apps["patients"], f"192.0.2.{n + 1}") as guesser:
            while (response := await attempt(guesser, account.email)).status_code == 429:
                waits.append(retry_after(response))
                clock.advance(retry_after(response))
            assert response.status_code == 401
    assert waits and max(waits) == SHORT_WAIT
    async with client_api(apps["patients"], OWNER) as owner:
        assert (await patiently(owner, account.email, clock, PASSWORD)).status_code == 200


async def test_every_failure_is_audited_and_answered_alike(apps, db, clock):
    account = await make_account(db, role="therapist")
    answers = []
    async with client_api(apps["patients"], ATTACKER) as attacker:
        while len([a for a in answers if a.status_code == 401]) < 5:
            answers.append(await attempt(attacker, account.email))
            if answers[-1].status_code == 429:
                clock.advance(retry_after(answers[-1]))
        answers.append(await attempt(attacker, account.email, PASSWORD))  # locked
        answers.append(await attempt(attacker, email()))  # no such account
    details = {(a.status_code, a.json()["detail"]) for a in answers}
    assert details == {(401, SIGN_IN_FAILED), (429, THROTTLED)}
    statement = (
        select(AuditEvent)
        .where(AuditEvent.action == "auth.sign_in", AuditEvent.client_ip == ATTACKER)
        .order_by(AuditEvent.id)
    )
    outcomes = [row.outcome for row in (await db.exec(statement)).all()]
    expected = ["denied" if a.status_code == 429 else "failure" for a in answers]
    assert outcomes == expected
    assert (outcomes.count("failure"), outcomes.count("denied")) == (6, 3)


# -- one address: many accounts behind one NAT are fine; spraying is locked ---------------------


async def test_a_clinic_behind_one_address_is_not_slowed_by_its_staff_typos(apps, db, clock):
    staff = [await make_account(db, role="therapist") for _ in range(12)]
    async with client_api(apps["patients"], "203.0.113.50") as clinic:
        for account in staff:
            for _ in range(2):
                assert (await attempt(clinic, account.email)).status_code == 401
            assert (await attempt(clinic, account.email, PASSWORD)).status_code == 200
        for account in staff[:5]:  # successes took their attempts back: still no wait
            assert (await attempt(clinic, account.email, PASSWORD)).status_code == 200


async def test_one_address_spraying_many_accounts_is_locked(apps, db, clock):
    account = await make_account(db, role="therapist")
    async with (
        client_api(apps["patients"], "203.0.113.77") as spray,
        client_api(apps["patients"], OWNER) as other,
    ):
        waits = []
        for n in range(50):
            while (response := await attempt(spray, f"user{n}@clinic.example")).status_code == 429:
                assert retry_after(response) <= SHORT_WAIT, n
                waits.append(retry_after(response))
                clock.advance(retry_after(response))
            assert response.status_code == 401, n
        assert waits  # slowed down before the lock
        locked = await attempt(spray, account.email, PASSWORD)
        assert locked.status_code == 429 and retry_after(locked) > 800
        assert (await attempt(other, account.email, PASSWORD)).status_code == 200


# -- the operator lifts locks; every replica sees the counts ------------------------------------


async def test_the_operator_unlock_lifts_the_lock_of_every_address(apps, db, clock):
    account = await make_account(db, role="therapist")
    async with client_api(apps["patients"], ATTACKER) as attacker:
        await lock_out(attacker, account.email, clock)
        assert (await attempt(attacker, account.email, PASSWORD)).status_code == 429
        assert await accounts.unlock(db, email=account.email)
        await db.commit()
        assert (await attempt(attacker, account.email, PASSWORD)).status_code == 200
    assert not await accounts.unlock(db, email=account.email)


async def test_the_count_is_shared_by_every_replica(apps, committed_apis, committed_db, settings):
    """Two instances of the service, each with its own engine and pool, see one count."""
    account = await make_account(committed_db, role="therapist")
    second = build_app(settings)
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    async with (
        second.router.lifespan_context(second),
        client_api(apps["patients"], address) as one,
        client_api(second, address) as two,
    ):
        for api in (one, two, one):
            assert (await attempt(api, account.email)).status_code == 401
        assert (await attempt(two, account.email, PASSWORD)).status_code == 429


def test_waits_stay_short_and_locks_come_inside_the_window():
    from services.patients.identity.throttle import ACCOUNT, CLIENT, PAIR

    assert ACCOUNT.lock_after is None
    assert all(
        (ACCOUNT.wait_after(n) or timedelta()) <= timedelta(seconds=30) for n in range(1, 1000)
    )
    for policy in (PAIR, CLIENT):
        waits = [policy.wait_after(n) for n in range(1, policy.lock_after)]
        assert sum((w for w in waits if w), timedelta()) < policy.window
        assert max(w for w in waits if w) <= timedelta(seconds=30)
        assert policy.wait_after(policy.lock_after) == policy.lock
