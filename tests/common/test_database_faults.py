"""When the database is busy, frozen or locked (matrix rows B9, B10): every request and
`/readyz` answer 503 with Retry-After within a few seconds, never a 500 or a hang, and all
recover by themselves when the database does."""

import asyncio
import time

import pytest
from sqlalchemy import text

from services.common.errors import PROBLEM_JSON
from tests.common.apps import plans_with, therapist_headers
from tests.common.freezable_proxy import freezable_proxy

# Longer than any answer we accept: a request still running then is a hang.
HANG = 15.0


def assert_busy(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert int(response.headers["retry-after"]) > 0


async def test_a_full_pool_answers_503_not_500(settings, apps):
    tight = settings.model_copy(
        update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.2}
    )
    async with plans_with(tight, apps) as (app, api):
        async with app.state.engine.connect() as held:  # the pool's one connection
            await held.execute(text("SELECT 1"))
            listed = await api.get("/v1/exercises", headers=therapist_headers(apps))
            ready = await api.get("/readyz")
        assert (await api.get("/readyz")).status_code == 200  # the pool has room again
    assert_busy(listed)
    assert_busy(ready)


async def test_a_frozen_database_answers_503_within_seconds_and_recovers(settings, apps):
    headers = therapist_headers(apps)
    async with freezable_proxy(settings.database_url) as proxy:
        quick = settings.model_copy(
            update={
                "database_url": proxy.url_for(settings.database_url),
                "db_statement_timeout": 1.0,
                "db_ready_timeout": 1.0,
            }
        )
        async with plans_with(quick, apps) as (_, api):
            assert (await api.get("/v1/exercises", headers=headers)).status_code == 200
            proxy.freeze()
            started = time.monotonic()
            listed = await asyncio.wait_for(api.get("/v1/exercises", headers=headers), HANG)
            ready = await asyncio.wait_for(api.get("/readyz"), HANG)
            took = time.monotonic() - started
            proxy.thaw()
            recovered = await api.get("/v1/exercises", headers=headers)
            ready_again = await api.get("/readyz")
    assert_busy(listed)
    assert_busy(ready)
    assert took < 10, f"answered after {took:.1f} s: the timeouts did not bound the freeze"
    assert recovered.status_code == 200 and ready_again.status_code == 200


@pytest.mark.parametrize(
    "timeouts",
    [
        pytest.param({"db_lock_timeout": 0.3}, id="lock timeout"),
        pytest.param(
            {"db_lock_timeout": 30.0, "db_statement_timeout": 0.3}, id="statement timeout"
        ),
    ],
)
async def test_a_lock_held_elsewhere_answers_503_within_the_timeout(
    settings, apps, engine, timeouts
):
    async with (
        plans_with(settings.model_copy(update=timeouts), apps) as (_, api),
        engine.connect() as other,
    ):
        await other.execute(text("LOCK TABLE plans.exercise IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        listed = await asyncio.wait_for(
            api.get("/v1/exercises", headers=therapist_headers(apps)), HANG
        )
        took = time.monotonic() - started
        await other.rollback()
    assert_busy(listed)
    assert took < 5
