"""The account check in plans and scheduling: they ask the patients service (as services),
cache the answer a few seconds, and refuse a disabled account's token (issue 6)."""

import asyncio
import uuid

import httpx
import pytest

from services.common.account_check import MAX_CACHED_ACCOUNTS, AccountStatusCache
from tests.clock import SecondsClock, cache_on_clock
from tests.factories import bearer, headers_for, make_account, make_patient, token_for

ROUTES = {"plans": "/v1/exercises", "scheduling": "/v1/locations"}


def _status_calls(apps) -> list[httpx.Request]:
    router = apps["patients"].state.http._transport
    return [r for r in router.calls if r.url.path.startswith("/v1/accounts/")]


async def _disable(apis, db, apps, account) -> None:
    admin = await headers_for(db, apps, "admin")
    response = await apis["patients"].post(f"/v1/users/{account.id}/disable", headers=admin)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("service", ["plans", "scheduling"])
async def test_a_disabled_accounts_token_is_refused(apis, db, apps, service):
    account = await make_account(db, role="therapist")
    token = bearer(token_for(apps, account))
    assert (await apis[service].get(ROUTES[service], headers=token)).status_code == 200

    await _disable(apis, db, apps, account)

    refused = await apis[service].get(ROUTES[service], headers=token)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("service", ["plans", "scheduling"])
async def test_an_archived_patients_token_is_refused(apis, db, apps, service):
    patient = await make_patient(db)
    token = bearer(token_for(apps, await make_account(db, role="patient", patient=patient)))
    assert (await apis[service].get(ROUTES[service], headers=token)).status_code == 200
    desk = await headers_for(db, apps, "front_desk")
    await apis["patients"].post(
        f"/v1/patients/{patient.id}/archive", json={"reason": "moved"}, headers=desk
    )
    assert (await apis[service].get(ROUTES[service], headers=token)).status_code == 401


async def test_the_check_asks_the_patients_service_as_a_service(apis, db, apps):
    router = apps["patients"].state.http._transport
    router.calls.clear()
    user = await headers_for(db, apps, "therapist")
    assert (await apis["plans"].get("/v1/exercises", headers=user)).status_code == 200
    (status_call,) = _status_calls(apps)
    assert status_call.url.host == "patients.test"
    assert status_call.headers["authorization"] != user["Authorization"]  # its own token


@pytest.fixture
def plans_cache(apps, monkeypatch):
    """Plans' cache with a 5-second life on a clock the test moves."""
    statuses = apps["plans"].state.account_check.statuses
    return cache_on_clock(statuses, monkeypatch)


async def test_the_window_is_the_cache_life_and_no_longer(apis, db, apps, plans_cache):
    account = await make_account(db, role="therapist")
    token = bearer(token_for(apps, account))
    assert (await apis["plans"].get("/v1/exercises", headers=token)).status_code == 200

    await _disable(apis, db, apps, account)

    plans_cache.now += 4.9  # still trusting what it learnt: the documented window
    assert (await apis["plans"].get("/v1/exercises", headers=token)).status_code == 200
    plans_cache.now += 0.1
    assert (await apis["plans"].get("/v1/exercises", headers=token)).status_code == 401


async def test_concurrent_requests_of_one_account_share_one_question(
    committed_apis, committed_db, apps, plans_cache
):
    token = bearer(token_for(apps, await make_account(committed_db, role="therapist")))
    apps["patients"].state.http._transport.calls.clear()
    responses = await asyncio.gather(
        *(committed_apis["plans"].get("/v1/exercises", headers=token) for _ in range(10))
    )
    assert [r.status_code for r in responses] == [200] * 10
    assert len(_status_calls(apps)) == 1


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("down", request=request)


@pytest.mark.parametrize(
    "failure",
    [
        _unreachable,
        lambda request: httpx.Response(503),
        lambda request: httpx.Response(200, json={"active": "maybe"}),
    ],
    ids=["unreachable", "failing", "unreadable"],
)
async def test_the_check_fails_closed_when_patients_cannot_answer(apis, db, apps, failure):
    token = bearer(token_for(apps, await make_account(db, role="therapist")))
    router = apps["plans"].state.http._transport
    with router.replaced("patients.test", httpx.MockTransport(failure)):
        response = await apis["plans"].get("/v1/exercises", headers=token)
    assert response.status_code in (502, 503)
    assert response.headers["content-type"] == "application/problem+json"


# -- the cache itself -------------------------------------------------------------------------


def test_the_cache_keeps_an_answer_for_its_life():
    clock = SecondsClock()
    cache = AccountStatusCache(5.0, clock=clock)
    user = uuid.uuid4()
    cache.put(user, True)
    clock.now += 4.99
    assert cache.get(user) is True
    clock.now += 0.01
    assert cache.get(user) is None


def test_a_life_of_zero_caches_nothing():
    cache = AccountStatusCache(0)
    user = uuid.uuid4()
    cache.put(user, False)
    assert cache.get(user) is None


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    cache = AccountStatusCache(60.0)
    first, second = uuid.uuid4(), uuid.uuid4()
    cache.put(first, True)
    cache.put(second, True)
    cache.get(first)
    for _ in range(MAX_CACHED_ACCOUNTS - 1):
        cache.put(uuid.uuid4(), True)
    assert cache.get(first) is True and cache.get(second) is None
