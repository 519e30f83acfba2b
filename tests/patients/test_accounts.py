"""Accounts: staff made by admins, patient logins by the front desk, passwords, disabling,
and refresh tokens that rotate and die with a disable or a password change."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from services.common.columns import utcnow
from services.patients.models import RefreshToken
from tests.factories import PASSWORD, bearer, headers_for, make_account, make_patient, token_for

GOOD_PASSWORD = "metatarsal-pad-and-wide-shoes"


async def sign_in(api, email, password=PASSWORD):
    return await api.post("/v1/auth/token", data={"username": email, "password": password})


async def refresh(api, token):
    return await api.post(
        "/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


# -- staff accounts ---------------------------------------------------------------------------


async def test_admin_creates_a_therapist_who_can_sign_in(patients_api, db, apps):
    admin = await headers_for(db, apps, "admin")
    body = {
        "email": "New.PT@clinic.example",
        "display_name": "Nia Patel, PT",
        "role": "therapist",
        "password": GOOD_PASSWORD,
    }
    created = await patients_api.post("/v1/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json() | {"id": None, "created_at": None} == {
        "id": None,
        "email": "new.pt@clinic.example",
        "display_name": "Nia Patel, PT",
        "role": "therapist",
        "patient_id": None,
        "disabled_at": None,
        "created_at": None,
    }
    assert (await sign_in(patients_api, "new.pt@clinic.example", GOOD_PASSWORD)).status_code == 200
    again = await patients_api.post(
        "/v1/users", json=body | {"email": "new.pt@CLINIC.example"}, headers=admin
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short1", "at least 10"),
        ("password123", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("nia.patel-2024!", "email"),
    ],
)
async def test_weak_passwords_are_refused_with_the_reason(patients_api, db, apps, password, why):
    admin = await headers_for(db, apps, "admin")
    body = {
        "email": "nia.patel@clinic.example",
        "display_name": "N",
        "role": "front_desk",
        "password": password,
    }
    response = await patients_api.post("/v1/users", json=body, headers=admin)
    assert response.status_code == 422
    assert why in response.json()["detail"]


@pytest.mark.parametrize("role", ["patient", "owner", ""])
async def test_staff_accounts_have_staff_roles_only(patients_api, db, apps, role):
    admin = await headers_for(db, apps, "admin")
    body = {
        "email": "x@clinic.example",
        "display_name": "X",
        "role": role,
        "password": GOOD_PASSWORD,
    }
    assert (await patients_api.post("/v1/users", json=body, headers=admin)).status_code == 422


async def test_admin_lists_and_reads_accounts(patients_api, db, apps):
    admin = await headers_for(db, apps, "admin")
    therapist = await make_account(db, role="therapist")
    listed = await patients_api.get(
        "/v1/users", params={"role": "therapist", "limit": 100}, headers=admin
    )
    assert str(therapist.id) in [u["id"] for u in listed.json()["items"]]
    one = await patients_api.get(f"/v1/users/{therapist.id}", headers=admin)
    assert one.status_code == 200 and one.json()["email"] == therapist.email
    assert (await patients_api.get(f"/v1/users/{uuid.uuid4()}", headers=admin)).status_code == 404


# -- patient logins ---------------------------------------------------------------------------


async def test_front_desk_creates_a_patient_login(patients_api, db, apps):
    desk = await headers_for(db, apps, "front_desk")
    patient = await make_patient(db, preferred_name="Mo")
    url = f"/v1/patients/{patient.id}/account"
    created = await patients_api.post(
        url, json={"email": "mo@example.com", "password": GOOD_PASSWORD}, headers=desk
    )
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "patient" and created.json()["patient_id"] == str(patient.id)
    token = (await sign_in(patients_api, "mo@example.com", GOOD_PASSWORD)).json()["access_token"]
    own = await patients_api.get(f"/v1/patients/{patient.id}", headers=bearer(token))
    assert own.status_code == 200
    second = await patients_api.post(
        url, json={"email": "mo2@example.com", "password": GOOD_PASSWORD}, headers=desk
    )
    assert second.status_code == 409


async def test_no_login_for_archived_or_unknown_patients(patients_api, db, apps):
    desk = await headers_for(db, apps, "front_desk")
    patient = await make_patient(
        db, status="archived", archived_at=utcnow(), archive_reason="moved"
    )
    body = {"email": "gone@example.com", "password": GOOD_PASSWORD}
    assert (
        await patients_api.post(f"/v1/patients/{patient.id}/account", json=body, headers=desk)
    ).status_code == 409
    unknown = await patients_api.post(
        f"/v1/patients/{uuid.uuid4()}/account", json=body, headers=desk
    )
    assert unknown.status_code == 404


# -- passwords --------------------------------------------------------------------------------


async def test_changing_the_password_revokes_refresh_tokens(patients_api, db, apps):
    account = await make_account(db, role="therapist")
    tokens = (await sign_in(patients_api, account.email)).json()
    headers = bearer(tokens["access_token"])
    wrong = await patients_api.post(
        "/v1/users/me/password",
        json={"current_password": "nope-nope-nope", "new_password": GOOD_PASSWORD},
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == [
        "body",
        "current_password",
    ]
    changed = await patients_api.post(
        "/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": GOOD_PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 204
    assert (await sign_in(patients_api, account.email)).status_code == 401
    assert (await sign_in(patients_api, account.email, GOOD_PASSWORD)).status_code == 200
    assert (await refresh(patients_api, tokens["refresh_token"])).status_code == 401


# -- disabling --------------------------------------------------------------------------------


async def test_disabling_stops_sign_in_and_refresh_and_enabling_restores(patients_api, db, apps):
    admin_account = await make_account(db, role="admin")
    admin = bearer(token_for(apps, admin_account))
    account = await make_account(db, role="front_desk")
    tokens = (await sign_in(patients_api, account.email)).json()
    disabled = await patients_api.post(f"/v1/users/{account.id}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["disabled_at"]
    assert (await sign_in(patients_api, account.email)).status_code == 401
    assert (await refresh(patients_api, tokens["refresh_token"])).status_code == 401
    assert (
        await patients_api.get("/v1/users/me", headers=bearer(tokens["access_token"]))
    ).status_code == 401
    enabled = await patients_api.post(f"/v1/users/{account.id}/enable", headers=admin)
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    assert (await sign_in(patients_api, account.email)).status_code == 200
    own = await patients_api.post(f"/v1/users/{admin_account.id}/disable", headers=admin)
    assert own.status_code == 409


# -- refresh tokens ---------------------------------------------------------------------------


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(patients_api, db, apps):
    account = await make_account(db, role="therapist")
    first = (await sign_in(patients_api, account.email)).json()
    assert first["refresh_expires_in"] == 30 * 60
    second = await refresh(patients_api, first["refresh_token"])
    assert second.status_code == 200, second.text
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"]
    assert (
        await patients_api.get("/v1/users/me", headers=bearer(new["access_token"]))
    ).status_code == 200
    replay = await refresh(patients_api, first["refresh_token"])  # stolen and replayed
    assert replay.status_code == 401
    assert (await refresh(patients_api, new["refresh_token"])).status_code == 401  # family revoked


@pytest.mark.parametrize("column", ["expires_at", "family_expires_at"])
async def test_idle_and_absolute_refresh_expiry(patients_api, db, apps, column):
    account = await make_account(db, role="front_desk")
    tokens = (await sign_in(patients_api, account.email)).json()
    past = utcnow() - timedelta(seconds=1)
    await db.exec(
        update(RefreshToken).where(RefreshToken.user_id == account.id).values({column: past})
    )
    await db.commit()
    assert (await refresh(patients_api, tokens["refresh_token"])).status_code == 401


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "refresh_token"},
        {"grant_type": "refresh_token", "refresh_token": "made-up"},
        {"grant_type": "client_credentials"},
        {"grant_type": "password", "username": "a@b.c"},
    ],
)
async def test_bad_token_requests(patients_api, form):
    response = await patients_api.post("/v1/auth/token", data=form)
    assert response.status_code in (401, 422)
    assert response.headers["content-type"] == "application/problem+json"


async def test_archiving_a_patient_disables_their_login(patients_api, db, apps):
    patient = await make_patient(db)
    account = await make_account(db, role="patient", patient=patient)
    tokens = (await sign_in(patients_api, account.email)).json()
    desk = await headers_for(db, apps, "front_desk")
    archived = await patients_api.post(
        f"/v1/patients/{patient.id}/archive", json={"reason": "discharged"}, headers=desk
    )
    assert archived.status_code == 200
    assert (await sign_in(patients_api, account.email)).status_code == 401
    assert (await refresh(patients_api, tokens["refresh_token"])).status_code == 401


async def test_account_reads_and_refreshes_are_audited(patients_api, db, apps):
    from sqlmodel import select

    from services.patients.models import AuditEvent

    admin = await make_account(db, role="admin")
    patient_login = await make_account(db, role="patient")
    headers = bearer(token_for(apps, admin))
    await patients_api.get("/v1/users", headers=headers)
    await patients_api.get(f"/v1/users/{patient_login.id}", headers=headers)
    tokens = (await sign_in(patients_api, patient_login.email)).json()
    await refresh(patients_api, tokens["refresh_token"])
    actions = {
        (r.action, r.patient_id)
        for r in (
            await db.exec(
                select(AuditEvent).where(
                    AuditEvent.action.in_(["user.list", "user.read", "auth.refresh"])
                )
            )
        ).all()
    }
    assert {
        ("user.list", None),
        ("user.read", patient_login.patient_id),
        ("auth.refresh", None),
    } <= actions
