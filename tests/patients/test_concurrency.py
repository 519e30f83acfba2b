"""Races between real concurrent requests, each on its own connection, really committing."""

import asyncio
import uuid

from tests.factories import bearer, make_account, make_patient, token_for

GOOD_PASSWORD = "metatarsal-pad-and-wide-shoes"


async def test_two_patches_with_the_same_if_match_one_wins(committed_apis, committed_db, apps):
    api = committed_apis["patients"]
    patient = await make_patient(committed_db, family_name=f"Race-{uuid.uuid4().hex[:6]}")
    desk = bearer(token_for(apps, await make_account(committed_db, role="front_desk")))
    url = f"/v1/patients/{patient.id}"

    async def patch(phone):
        return await api.patch(url, json={"phone": phone}, headers=desk | {"If-Match": '"1"'})

    for _ in range(3):  # repeat: a lucky interleaving must not hide a lost update
        responses = await asyncio.gather(patch("301-555-0111"), patch("301-555-0122"))
        statuses = sorted(r.status_code for r in responses)
        assert statuses in ([200, 412], [412, 412]), statuses
        if statuses == [200, 412]:
            break
        patient = await make_patient(committed_db, family_name=f"Race-{uuid.uuid4().hex[:6]}")
        url = f"/v1/patients/{patient.id}"
    winner = next(r for r in responses if r.status_code == 200).json()
    stored = (await api.get(url, headers=desk)).json()
    assert stored["version"] == 2 and stored["phone"] == winner["phone"]


async def test_twenty_concurrent_patches_make_exactly_one_change(
    committed_apis, committed_db, apps
):
    api = committed_apis["patients"]
    patient = await make_patient(committed_db)
    desk = bearer(token_for(apps, await make_account(committed_db, role="therapist")))
    url = f"/v1/patients/{patient.id}"
    responses = await asyncio.gather(
        *(
            api.patch(url, json={"preferred_name": f"N{n}"}, headers=desk | {"If-Match": '"1"'})
            for n in range(20)
        )
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) <= 1 and statuses.count(200) + statuses.count(412) == 20, statuses
    stored = (await api.get(url, headers=desk)).json()
    assert stored["version"] == 1 + statuses.count(200)


async def test_two_clerks_creating_the_same_login_one_wins(committed_apis, committed_db, apps):
    api = committed_apis["patients"]
    admin = bearer(token_for(apps, await make_account(committed_db, role="admin")))
    email = f"race-{uuid.uuid4().hex[:8]}@clinic.example"
    body = {"email": email, "display_name": "Racer", "role": "therapist", "password": GOOD_PASSWORD}
    responses = await asyncio.gather(
        *(api.post("/v1/users", json=body, headers=admin) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
