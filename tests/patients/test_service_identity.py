"""Service identity in the patients service (matrix row D5): the client-credentials grant,
the `service` role no user token can carry, and the service-only account status route."""

import base64
import uuid
from datetime import UTC, datetime

import jwt
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from services.common.columns import utcnow
from services.patients.models import AuditEvent, UserAccount
from tests.factories import bearer, headers_for, make_account, make_patient

TOKEN_URL = "/v1/auth/token"


def _secret(apps, service: str) -> str:
    return apps["patients"].state.settings.client_secret(service)


def _form(client_id: str, client_secret: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }


async def service_token(api, apps, service: str = "plans") -> str:
    response = await api.post(TOKEN_URL, data=_form(service, _secret(apps, service)))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


# -- the grant ----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", ["plans", "scheduling"])
async def test_a_service_gets_a_short_lived_token_with_the_service_role(
    patients_api, apps, service
):
    response = await patients_api.post(TOKEN_URL, data=_form(service, _secret(apps, service)))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and "refresh_token" not in body
    lifetime = apps["patients"].state.settings.service_token_seconds
    assert body["expires_in"] == lifetime <= 15 * 60
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["role"] == "service" and claims["sub"] == service
    assert claims["client_id"] == service and "pid" not in claims
    assert claims["exp"] - claims["iat"] == lifetime


async def test_http_basic_works_too(patients_api, apps):
    pair = f"scheduling:{_secret(apps, 'scheduling')}".encode()
    response = await patients_api.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "scheduling"


@pytest.mark.parametrize(
    ("client_id", "secret_of"),
    [
        ("plans", None),  # a wrong secret
        ("plans", "scheduling"),  # another service's secret
        ("patients", "plans"),  # not a client
        ("admin", "plans"),
    ],
)
async def test_wrong_client_credentials_are_refused(patients_api, apps, db, client_id, secret_of):
    secret = _secret(apps, secret_of) if secret_of else "not-the-secret-" + "x" * 30
    response = await patients_api.post(TOKEN_URL, data=_form(client_id, secret))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "access_token" not in response.text
    failure = select(AuditEvent).where(
        AuditEvent.action == "auth.service_token", AuditEvent.outcome == "failure"
    )
    assert (await db.exec(failure)).first().detail == {"client_id": client_id}


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "client_credentials"},
        {"grant_type": "client_credentials", "client_id": "plans"},
        {"grant_type": "client_credentials", "client_secret": "x" * 40},
    ],
)
async def test_missing_client_credentials_are_refused(patients_api, form):
    response = await patients_api.post(TOKEN_URL, data=form)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_issuing_a_service_token_is_audited(patients_api, apps, db):
    await service_token(patients_api, apps, "plans")
    issued = select(AuditEvent).where(
        AuditEvent.action == "auth.service_token", AuditEvent.outcome == "success"
    )
    event = (await db.exec(issued)).first()
    assert event is not None and event.actor_role == "service"
    assert event.detail == {"client_id": "plans"}


# -- no user token carries the service role -----------------------------------------------------


def test_the_signer_refuses_a_user_token_with_the_service_role(apps):
    with pytest.raises(ValueError, match="service"):
        apps["patients"].state.signer.access_token(
            user_id=uuid.uuid4(), role="service", patient_id=None
        )


async def test_no_account_can_have_the_service_role(db):
    db.add(
        UserAccount(email="svc@clinic.example", display_name="S", role="service", password_hash="x")
    )
    with pytest.raises(IntegrityError):
        await db.flush()
    await db.rollback()


@pytest.mark.parametrize("subject", ["6f1c1a52-3c55-4d1e-9a43-0d1f0f2b9c11", "billing", ""])
async def test_a_service_role_for_anything_but_a_known_service_is_refused(
    patients_api, apps, subject
):
    """Even signed with the real key: a service token names one of the platform's services."""
    signer = apps["patients"].state.signer
    now = datetime.now(UTC)
    claims = {"iss": signer.issuer, "aud": signer.audience, "sub": subject, "role": "service"}
    claims |= {"client_id": subject, "iat": now, "nbf": now, "exp": now.timestamp() + 60}
    forged = jwt.encode(claims, signer._key, algorithm="EdDSA", headers={"kid": signer.kid})
    response = await patients_api.get(f"/v1/accounts/{uuid.uuid4()}/status", headers=bearer(forged))
    assert response.status_code == 401


# -- users and services on each other's routes ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/users/me"),
        ("GET", "/v1/patients"),
        ("GET", "/v1/patients/{patient}"),
        ("GET", "/v1/users"),
        ("GET", "/v1/audit"),
    ],
)
async def test_a_service_token_on_a_user_route_is_403(patients_api, apps, db, method, path):
    patient = await make_patient(db)
    token = await service_token(patients_api, apps)
    response = await patients_api.request(
        method, path.format(patient=patient.id), headers=bearer(token)
    )
    assert response.status_code == 403, response.text
    assert patient.family_name not in response.text


@pytest.mark.parametrize("role", ["patient", "front_desk", "therapist", "admin"])
async def test_a_user_token_on_the_service_route_is_403(patients_api, apps, db, role):
    account = await make_account(db, role="therapist")
    response = await patients_api.get(
        f"/v1/accounts/{account.id}/status", headers=await headers_for(db, apps, role)
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_service_route_without_a_token_is_401(patients_api):
    response = await patients_api.get(f"/v1/accounts/{uuid.uuid4()}/status")
    assert response.status_code == 401


# -- the account status route -------------------------------------------------------------------


async def _status(api, apps, user_id: uuid.UUID):
    return await api.get(
        f"/v1/accounts/{user_id}/status", headers=bearer(await service_token(api, apps))
    )


async def test_status_of_an_active_account(patients_api, apps, db):
    account = await make_account(db, role="therapist", display_name="Dana Okafor, PT")
    response = await _status(patients_api, apps, account.id)
    assert response.status_code == 200
    assert response.json() == {
        "user_id": str(account.id),
        "active": True,
        "role": "therapist",
        "display_name": "Dana Okafor, PT",
    }


async def test_status_of_a_disabled_account(patients_api, apps, db):
    account = await make_account(db, role="front_desk", disabled_at=utcnow())
    status = (await _status(patients_api, apps, account.id)).json()
    assert (status["active"], status["role"]) == (False, "front_desk")


async def test_status_of_an_archived_patients_login_even_if_left_enabled(patients_api, apps, db):
    """Rows from before the row-lock fix: the login is enabled but its patient is archived."""
    patient = await make_patient(db, status="archived", archived_at=utcnow(), archive_reason="x")
    account = await make_account(db, role="patient", patient=patient)
    assert (await _status(patients_api, apps, account.id)).json()["active"] is False


async def test_status_of_an_unknown_account_is_404(patients_api, apps):
    response = await _status(patients_api, apps, uuid.uuid4())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
