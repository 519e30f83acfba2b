"""Races between real concurrent requests, each on its own connection, really committing.

Each race holds its requests at the start of their unit of work until all of them have
arrived, then lets them go at once: the transactions run side by side (a test whose requests
ran one after the other would pass even against a lost update), and a request that never
arrives fails the test instead of hanging it. The outcomes are exact: one winner, every
other request refused, one change stored.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
from fastapi import FastAPI, Request
from sqlalchemy import func
from sqlmodel import select

from services.common.database import open_session
from services.patients.models import Patient, UserAccount
from tests.factories import bearer, make_account, make_patient, token_for

GOOD_PASSWORD = "metatarsal-pad-and-wide-shoes"
RACE_TIMEOUT = 20  # seconds: far above a race's real length, far below a hung suite


@contextmanager
def released_together(app: FastAPI, racers: int) -> Iterator[asyncio.Barrier]:
    """Hold each request of the app before its unit of work opens until `racers` requests
    wait there, then release them together. Passing the barrier proves they overlapped."""
    barrier = asyncio.Barrier(racers)
    unit_of_work = asynccontextmanager(open_session)

    async def session_after_the_barrier(request: Request) -> AsyncIterator[object]:
        await barrier.wait()
        async with unit_of_work(request) as session:  # forwards errors: rollback as usual
            yield session

    app.dependency_overrides[open_session] = session_after_the_barrier
    try:
        yield barrier
    finally:
        app.dependency_overrides.pop(open_session, None)


async def race(app: FastAPI, *requests) -> list[httpx.Response]:
    """Send the requests at once and answer their responses, in order."""
    with released_together(app, len(requests)) as barrier:
        async with asyncio.timeout(RACE_TIMEOUT):
            responses = await asyncio.gather(*requests)
    assert not barrier.broken and barrier.n_waiting == 0
    return list(responses)


def _statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def _refusals_are_problems(responses: list[httpx.Response]) -> None:
    for response in responses:
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"


async def _stored(db, patient: Patient) -> Patient:
    await db.refresh(patient)
    return patient


async def test_two_patches_with_the_same_if_match_one_wins(committed_apis, committed_db, apps):
    api = committed_apis["patients"]
    desk = bearer(token_for(apps, await make_account(committed_db, role="front_desk")))
    desk |= {"If-Match": '"1"'}
    for _ in range(3):  # a few fresh records: every interleaving must give the same answer
        patient = await make_patient(committed_db, family_name=f"Race-{uuid.uuid4().hex[:6]}")
        url = f"/v1/patients/{patient.id}"
        phones = {"301-555-0111": "+13015550111", "301-555-0122": "+13015550122"}
        responses = await race(
            apps["patients"],
            *(api.patch(url, json={"phone": p}, headers=desk) for p in phones),
        )
        assert _statuses(responses) == [200, 412], [r.text for r in responses]
        _refusals_are_problems(responses)
        winner = next(r for r in responses if r.status_code == 200).json()
        stored = await _stored(committed_db, patient)
        assert stored.version == 2 and winner["version"] == 2
        assert stored.phone == winner["phone"] and winner["phone"] in phones.values()


async def test_twenty_concurrent_patches_make_exactly_one_change(
    committed_apis, committed_db, apps
):
    api = committed_apis["patients"]
    patient = await make_patient(committed_db)
    therapist = bearer(token_for(apps, await make_account(committed_db, role="therapist")))
    therapist |= {"If-Match": '"1"'}
    url = f"/v1/patients/{patient.id}"
    responses = await race(
        apps["patients"],
        *(api.patch(url, json={"preferred_name": f"N{n}"}, headers=therapist) for n in range(20)),
    )
    assert _statuses(responses) == [200] + [412] * 19
    _refusals_are_problems(responses)
    winner = next(r for r in responses if r.status_code == 200).json()
    stored = await _stored(committed_db, patient)
    assert stored.version == 2 and stored.preferred_name == winner["preferred_name"]


async def test_five_clerks_creating_the_same_login_one_wins(committed_apis, committed_db, apps):
    api = committed_apis["patients"]
    admin = bearer(token_for(apps, await make_account(committed_db, role="admin")))
    email = f"race-{uuid.uuid4().hex[:8]}@clinic.example"
    # One address, however each clerk typed it: an email is one account whatever its case.
    typed = [email, email, email.upper(), email.capitalize(), email.swapcase()]
    body = {"display_name": "Racer", "role": "therapist", "password": GOOD_PASSWORD}
    responses = await race(
        apps["patients"],
        *(api.post("/v1/users", json=body | {"email": e}, headers=admin) for e in typed),
    )
    assert _statuses(responses) == [201, 409, 409, 409, 409], [r.text for r in responses]
    _refusals_are_problems(responses)
    same = func.lower(UserAccount.email) == email
    count = select(func.count()).select_from(UserAccount).where(same)
    assert (await committed_db.exec(count)).one() == 1
