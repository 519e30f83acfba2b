"""Verifying tokens with the patients service's published keys: a malformed key never turns
into a 500, a burst of unknown key ids fetches the key set once, and hosts whose clocks are a
little out of step still agree on a token."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from services.common.auth import ALGORITHM, Caller
from services.patients.identity.tokens import TokenSigner, generate_private_key_pem
from tests.common.apps import plans_with, therapist_headers
from tests.factories import make_account


def serving(document: Any) -> tuple[list[httpx.Request], httpx.MockTransport]:
    """A patients service that publishes `document` as its JWKS, a little slowly, so that
    requests arriving together overlap."""
    calls: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        await asyncio.sleep(0.05)
        return httpx.Response(200, json=document)

    return calls, httpx.MockTransport(handler)


def good_keys(apps) -> list[dict[str, Any]]:
    return apps["patients"].state.signer.jwks()["keys"]


def malformed(apps) -> dict[str, Any]:
    good = good_keys(apps)[0]
    return {
        "bad x": {**good, "x": "!!!", "kid": "bad-x"},
        "short x": {**good, "x": "AAAA", "kid": "short-x"},
        "wrong kty": {**good, "kty": "RSA", "kid": "rsa"},
        "wrong curve": {**good, "crv": "P-256", "kid": "p256"},
        "no x": {k: v for k, v in good.items() if k != "x"} | {"kid": "no-x"},
        "no kty": {k: v for k, v in good.items() if k != "kty"} | {"kid": "no-kty"},
        "no kid": {k: v for k, v in good.items() if k != "kid"},
        "kid not a string": {**good, "kid": 7},
        "not an object": "a string",
        "null": None,
    }


BAD_KEYS = [
    "bad x",
    "short x",
    "wrong kty",
    "wrong curve",
    "no x",
    "no kty",
    "no kid",
    "kid not a string",
    "not an object",
    "null",
]


@pytest.mark.parametrize("bad", BAD_KEYS)
async def test_a_malformed_key_is_skipped_and_the_good_ones_kept(settings, apps, bad):
    document = {"keys": [malformed(apps)[bad], *good_keys(apps)]}
    _, patients = serving(document)
    async with plans_with(settings, apps, calls_to=patients) as (_, api):
        response = await api.get("/v1/exercises", headers=therapist_headers(apps))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "document",
    [{"keys": "not a list"}, {"keys": {"kid": "x"}}, [1, 2], {}, {"keys": ["bad", None]}],
    ids=["keys a string", "keys an object", "a list", "no keys", "no usable key"],
)
async def test_a_key_set_without_a_usable_key_is_503_never_500(settings, apps, document):
    _, patients = serving(document)
    async with plans_with(settings, apps, calls_to=patients) as (_, api):
        response = await api.get("/v1/exercises", headers=therapist_headers(apps))
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"]


async def test_fifty_requests_with_an_unknown_key_fetch_the_key_set_once(settings, apps):
    calls, patients = serving({"keys": good_keys(apps)})
    stranger = TokenSigner(
        generate_private_key_pem(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        lifetime=timedelta(minutes=5),
    )
    token = stranger.access_token(user_id=uuid.uuid4(), role="therapist", patient_id=None)
    headers = {"Authorization": f"Bearer {token}"}
    async with plans_with(settings, apps, calls_to=patients) as (_, api):
        answers = await asyncio.gather(
            *(api.get("/v1/exercises", headers=headers) for _ in range(50))
        )
    assert [a.status_code for a in answers] == [401] * 50
    assert len(calls) == 1


def token_issued(settings, apps, *, shift: timedelta, user_id: uuid.UUID) -> str:
    """A token issued by a host whose clock is `shift` ahead of ours."""
    issued = datetime.now(UTC) + shift
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "role": "therapist",
        "iat": issued,
        "nbf": issued,
        "exp": issued + timedelta(minutes=15),
    }
    kid = apps["patients"].state.signer.kid
    return jwt.encode(claims, settings.jwt_private_key, algorithm=ALGORITHM, headers={"kid": kid})


@pytest.mark.parametrize(
    ("shift", "status"),
    [
        pytest.param(timedelta(seconds=10), 200, id="10 s ahead"),
        pytest.param(timedelta(minutes=5), 401, id="5 min ahead"),
        pytest.param(timedelta(minutes=-15, seconds=-10), 200, id="expired 10 s ago"),
        pytest.param(timedelta(minutes=-20), 401, id="expired 5 min ago"),
    ],
)
async def test_clocks_a_little_out_of_step_agree(plans_api, db, settings, apps, shift, status):
    therapist = await make_account(db, role="therapist")  # the account check wants a real one
    token = token_issued(settings, apps, shift=shift, user_id=therapist.id)
    response = await plans_api.get("/v1/exercises", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status, response.text


def test_the_callers_repr_never_shows_the_token():
    caller = Caller(uuid.uuid4(), "therapist", None, "eyJ.secret-token.sig")
    assert "secret-token" not in repr(caller) and "secret-token" not in str(caller)
