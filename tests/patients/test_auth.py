"""Signing in, the JWKS, and every way a forged or stale token must fail (matrix row C6)."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.patients.identity.tokens import TokenSigner, generate_private_key_pem
from tests.factories import PASSWORD, bearer, make_account, token_for


async def sign_in(api, email: str, password: str):
    return await api.post("/v1/auth/token", data={"username": email, "password": password})


async def test_sign_in_gives_a_bearer_token_that_works(patients_api, db):
    account = await make_account(db, role="therapist", email="pat.lee@clinic.example")
    response = await sign_in(patients_api, "Pat.Lee@Clinic.example ", PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    me = await patients_api.get("/v1/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == me.json() | {"id": str(account.id), "role": "therapist", "patient_id": None}


async def test_the_token_is_an_eddsa_jwt_with_the_expected_claims(patients_api, db):
    await make_account(db, role="front_desk", email="desk@clinic.example")
    token = (await sign_in(patients_api, "desk@clinic.example", PASSWORD)).json()["access_token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA" and header["kid"]
    assert {"iss", "aud", "sub", "role", "exp", "iat", "jti"} <= claims.keys()
    assert claims["exp"] - claims["iat"] == 15 * 60


async def test_patient_token_carries_the_patient_id(patients_api, db):
    account = await make_account(db, role="patient", email="maria@example.com")
    token = (await sign_in(patients_api, "maria@example.com", PASSWORD)).json()["access_token"]
    me = (await patients_api.get("/v1/users/me", headers=bearer(token))).json()
    assert me["patient_id"] == str(account.patient_id)


@pytest.mark.parametrize(
    ("email", "password"),
    [("known@clinic.example", "wrong-password"), ("nobody@clinic.example", PASSWORD)],
)
async def test_failed_sign_in_says_the_same_thing_either_way(patients_api, db, email, password):
    await make_account(db, role="therapist", email="known@clinic.example")
    response = await sign_in(patients_api, email, password)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert (
        response.json()["detail"] == "The email or password is wrong, or the account is disabled."
    )


async def test_disabled_account_cannot_sign_in_nor_use_a_token(patients_api, db, apps):
    account = await make_account(db, role="therapist", email="gone@clinic.example")
    token = token_for(apps, account)
    account.disabled_at = datetime.now(UTC)
    db.add(account)
    await db.commit()
    assert (await sign_in(patients_api, "gone@clinic.example", PASSWORD)).status_code == 401
    assert (await patients_api.get("/v1/users/me", headers=bearer(token))).status_code == 401


async def test_sign_in_needs_both_fields(patients_api):
    response = await patients_api.post("/v1/auth/token", data={"username": "x@clinic.example"})
    assert response.status_code == 422
    assert ["body", "password"] in [e["loc"] for e in response.json()["errors"]]


async def test_jwks_publishes_the_verifying_key(patients_api, db, apps):
    keys = (await patients_api.get("/.well-known/jwks.json")).json()["keys"]
    assert [k["kty"] for k in keys] == ["OKP"] and "d" not in keys[0]
    account = await make_account(db, role="therapist")
    token = token_for(apps, account)
    key = jwt.PyJWK(keys[0])
    claims = jwt.decode(token, key, algorithms=["EdDSA"], audience="clinic-api")
    assert claims["sub"] == str(account.id)


# -- forged and stale tokens, against a service that verifies through the JWKS -----------------


def _claims(**overrides):
    now = datetime.now(UTC)
    base = {
        "iss": "http://patients.test",
        "aud": "clinic-api",
        "sub": str(uuid.uuid4()),
        "role": "therapist",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    return {k: v for k, v in (base | overrides).items() if v is not None}


def _signed(apps, **overrides) -> str:
    signer = apps["patients"].state.signer
    return jwt.encode(
        _claims(**overrides), signer._key, algorithm="EdDSA", headers={"kid": signer.kid}
    )


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _forgeries(apps) -> dict[str, str]:
    signer = apps["patients"].state.signer
    public_pem = signer._key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = json.loads(json.dumps(_claims(), default=lambda d: int(d.timestamp())))
    other = TokenSigner(
        generate_private_key_pem(),
        issuer="http://patients.test",
        audience="clinic-api",
        lifetime=timedelta(minutes=5),
    )
    good = _signed(apps)
    head, _payload, signature = good.split(".")
    return {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': signer.kid})}.{_b64(claims)}.",
        "HS256 with the public key as secret": _hs256_forgery(claims, public_pem, signer.kid),
        "expired": _signed(apps, exp=datetime.now(UTC) - timedelta(minutes=5)),
        "wrong audience": _signed(apps, aud="another-api"),
        "wrong issuer": _signed(apps, iss="https://evil.example"),
        "unknown role": _signed(apps, role="superuser"),
        "no expiry": _signed(apps, exp=None),
        "tampered payload": f"{head}.{_b64(claims | {'role': 'admin'})}.{signature}",
        "signed by another key": other.access_token(
            user_id=uuid.uuid4(), role="admin", patient_id=None
        ),
        "not a jwt": "not-a-token",
    }


def _hs256_forgery(claims: dict, secret: bytes, kid: str) -> str:
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


FORGERY_NAMES = [
    "alg none",
    "HS256 with the public key as secret",
    "expired",
    "wrong audience",
    "wrong issuer",
    "unknown role",
    "no expiry",
    "tampered payload",
    "signed by another key",
    "not a jwt",
]


@pytest.mark.parametrize("forgery", FORGERY_NAMES)
@pytest.mark.parametrize("service", ["patients", "plans", "scheduling"])
async def test_forged_or_stale_tokens_get_401(apis, apps, service, forgery):
    token = _forgeries(apps)[forgery]
    path = {"patients": "/v1/users/me", "plans": "/v1/exercises", "scheduling": "/v1/locations"}[
        service
    ]
    response = await apis[service].get(path, headers=bearer(token))
    assert response.status_code == 401, (forgery, response.text)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_valid_token_works_in_every_service(apis, apps, db):
    token = _signed(apps, sub=str((await make_account(db, role="therapist")).id))
    assert (await apis["plans"].get("/v1/exercises", headers=bearer(token))).status_code == 200
    assert (await apis["scheduling"].get("/v1/locations", headers=bearer(token))).status_code == 200


@pytest.mark.parametrize("where", ["query", "missing", "basic"])
async def test_tokens_only_count_in_the_authorization_header(plans_api, apps, where):
    token = _signed(apps)
    if where == "query":
        response = await plans_api.get("/v1/exercises", params={"access_token": token})
    elif where == "missing":
        response = await plans_api.get("/v1/exercises")
    else:
        response = await plans_api.get("/v1/exercises", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401


def test_the_signing_key_must_be_ed25519():
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        TokenSigner(rsa_pem.decode(), issuer="i", audience="a", lifetime=timedelta(minutes=1))
    assert isinstance(
        serialization.load_pem_private_key(generate_private_key_pem().encode(), None),
        Ed25519PrivateKey,
    )
