"""The account check in the patients service: a disabled account's or an archived patient's
access token stops working on the record routes at once, not when it expires (issue 6)."""

import pytest
from sqlalchemy import update

from services.common.columns import utcnow
from services.patients.identity.service_identity import forget_account
from services.patients.models import UserAccount
from tests.clock import cache_on_clock
from tests.factories import bearer, headers_for, make_account, make_patient, token_for


@pytest.fixture
def cached(apps, monkeypatch):
    """The patients service's cache with a 5-second life on a clock the test moves."""
    statuses = apps["patients"].state.account_check.statuses
    return cache_on_clock(statuses, monkeypatch)


async def _disable(api, db, apps, account) -> None:
    admin = await headers_for(db, apps, "admin")
    response = await api.post(f"/v1/users/{account.id}/disable", headers=admin)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("role", ["front_desk", "therapist"])
async def test_a_disabled_staff_token_is_refused_on_a_record(patients_api, db, apps, role):
    patient = await make_patient(db)
    account = await make_account(db, role=role)
    token = bearer(token_for(apps, account))
    assert (await patients_api.get(f"/v1/patients/{patient.id}", headers=token)).status_code == 200

    await _disable(patients_api, db, apps, account)

    refused = await patients_api.get(f"/v1/patients/{patient.id}", headers=token)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"] == "Bearer"
    assert patient.family_name not in refused.text
    search = await patients_api.get("/v1/patients", params={"name": "Maria"}, headers=token)
    assert search.status_code == 401


async def test_an_archived_patients_token_is_refused_on_their_record(patients_api, db, apps):
    patient = await make_patient(db)
    token = bearer(token_for(apps, await make_account(db, role="patient", patient=patient)))
    desk = await headers_for(db, apps, "front_desk")
    url = f"/v1/patients/{patient.id}"
    archived = await patients_api.post(f"{url}/archive", json={"reason": "moved"}, headers=desk)
    assert archived.status_code == 200

    assert (await patients_api.get(url, headers=token)).status_code == 401
    patch = await patients_api.patch(
        url, json={"phone": "301-555-0199"}, headers=token | {"If-Match": "*"}
    )
    assert patch.status_code == 401


async def test_a_token_of_an_account_that_does_not_exist_is_refused(patients_api, apps, db):
    ghost = UserAccount(email="ghost@clinic.example", display_name="G", role="therapist")
    token = bearer(token_for(apps, ghost))  # signed, valid, but nobody behind it
    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 401


async def test_this_process_forgets_a_disabled_account_at_once(patients_api, db, apps, cached):
    account = await make_account(db, role="therapist")
    token = bearer(token_for(apps, account))
    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 200  # cached

    await _disable(patients_api, db, apps, account)

    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 401


async def test_and_an_archived_patients_login_at_once(patients_api, db, apps, cached):
    patient = await make_patient(db)
    token = bearer(token_for(apps, await make_account(db, role="patient", patient=patient)))
    url = f"/v1/patients/{patient.id}"
    assert (await patients_api.get(url, headers=token)).status_code == 200  # cached
    desk = await headers_for(db, apps, "front_desk")
    await patients_api.post(f"{url}/archive", json={"reason": "moved"}, headers=desk)
    assert (await patients_api.get(url, headers=token)).status_code == 401


async def test_an_enabled_account_works_again_at_once(patients_api, db, apps, cached):
    account = await make_account(db, role="therapist")
    token = bearer(token_for(apps, account))
    await _disable(patients_api, db, apps, account)
    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 401  # cached
    admin = await headers_for(db, apps, "admin")
    await patients_api.post(f"/v1/users/{account.id}/enable", headers=admin)
    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 200


async def test_a_disable_elsewhere_shows_within_the_cache_window(patients_api, db, apps, cached):
    """Another replica (or clinic-admin) disabled it: this process sees it when its cached
    answer runs out, CLINIC_ACCOUNT_CHECK_SECONDS after it was learnt."""
    account = await make_account(db, role="therapist")
    token = bearer(token_for(apps, account))
    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 200
    await db.exec(
        update(UserAccount).where(UserAccount.id == account.id).values(disabled_at=utcnow())
    )
    await db.commit()

    cached.now += 4.9
    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 200
    cached.now += 0.1
    assert (await patients_api.get("/v1/patients", headers=token)).status_code == 401


async def test_a_change_is_forgotten_again_when_it_commits(db, apps, cached):
    """A request that re-read the old state between the change and its commit must not keep
    it cached: the account is forgotten once more after the commit."""
    statuses = apps["patients"].state.account_check.statuses
    account = await make_account(db, role="therapist")
    db.info["account_statuses"] = statuses
    forget_account(db, user_id=account.id)
    statuses.put(account.id, True)  # re-read by another request before the commit
    await db.commit()
    assert statuses.get(account.id) is None
    db.info.pop("account_statuses")
