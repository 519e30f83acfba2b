"""No database transaction stays open while the patients service waits on scheduling: a slow
or hung scheduling service must not pin a connection (and its row locks) for that long.

The fake scheduling transport looks, at the moment it is called, for a backend of the app
(application_name "clinic") that sits "idle in transaction" in this database."""

import uuid

import httpx
from sqlalchemy import text

from tests.factories import bearer, make_account, make_patient, token_for

OPEN_TRANSACTIONS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND application_name = 'clinic' AND state LIKE 'idle in transaction%'"
)


def watching_scheduling(engine, seen: list[int]) -> httpx.MockTransport:
    async def location(request: httpx.Request) -> httpx.Response:
        async with engine.connect() as conn:
            seen.append((await conn.execute(OPEN_TRANSACTIONS)).scalar_one())
        return httpx.Response(200, json={"slug": request.url.path.rsplit("/", 1)[-1]})

    return httpx.MockTransport(location)


async def test_changing_the_home_clinic_asks_scheduling_outside_any_transaction(
    committed_apis, committed_db, apps, engine
):
    patient = await make_patient(committed_db, family_name=f"Move-{uuid.uuid4().hex[:6]}")
    desk = bearer(token_for(apps, await make_account(committed_db, role="front_desk")))
    seen: list[int] = []
    router = apps["patients"].state.http._transport
    with router.replaced("scheduling.test", watching_scheduling(engine, seen)):
        response = await committed_apis["patients"].patch(
            f"/v1/patients/{patient.id}",
            json={"home_location": "columbia"},
            headers=desk | {"If-Match": '"1"'},
        )
    assert response.status_code == 200, response.text
    assert response.json()["home_location"] == "columbia"
    assert seen == [0]


async def test_registering_asks_scheduling_outside_any_transaction(
    committed_apis, committed_db, apps, engine
):
    desk = bearer(token_for(apps, await make_account(committed_db, role="front_desk")))
    body = {
        "given_name": "Early",
        "family_name": f"Asker-{uuid.uuid4().hex[:6]}",
        "birth_date": "1970-07-07",
        "sex": "male",
        "home_location": "frederick",
    }
    seen: list[int] = []
    router = apps["patients"].state.http._transport
    with router.replaced("scheduling.test", watching_scheduling(engine, seen)):
        response = await committed_apis["patients"].post("/v1/patients", json=body, headers=desk)
    assert response.status_code == 201, response.text
    assert seen == [0]
