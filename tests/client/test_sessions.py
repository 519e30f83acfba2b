"""Sessions: the password grant signs in; the access token is renewed with the refresh token a
little before it runs out, once however many calls need it; a session that cannot be renewed
is `SessionExpired`, unless the client was asked to keep the password. Tokens and passwords
never show in a repr."""

import asyncio
from datetime import timedelta

import pytest
from clinic_client import AsyncClinic, Session, SessionExpired, Unauthorized
from pydantic import SecretStr

from tests.client.conftest import in_thread, person, signed_in
from tests.client.stack import Flaky, transport_of, urls_of
from tests.factories import PASSWORD, make_account

TOKEN = "/v1/auth/token"


def grants(wire) -> list[str]:
    return [request.content.decode().split("&")[0] for request in wire.sent_to("POST", TOKEN)]


async def test_the_access_token_is_renewed_before_it_runs_out(db, open_clinic, wire, clock):
    seen: list[Session | None] = []
    clinic = await signed_in(open_clinic(on_session=seen.append), await person(db, "therapist"))
    first = clinic.session
    clock.ahead = timedelta(minutes=14, seconds=30)  # the token lives 15 minutes
    assert (await clinic.users.me()).role == "therapist"
    assert grants(wire) == ["grant_type=password", "grant_type=refresh_token"]
    renewed = clinic.session
    assert renewed.access_token != first.access_token
    assert renewed.refresh_token != first.refresh_token  # rotated: each works once
    assert seen == [first, renewed]


async def test_a_session_past_its_refresh_token_has_expired(db, open_clinic, wire, clock):
    seen: list[Session | None] = []
    clinic = await signed_in(open_clinic(on_session=seen.append), await person(db, "therapist"))
    clock.ahead = timedelta(minutes=31)  # refresh tokens last 30 minutes unused
    with pytest.raises(SessionExpired) as expired:
        await clinic.users.me()
    assert isinstance(expired.value, Unauthorized) and "sign in again" in str(expired.value)
    assert clinic.session is None and seen[-1] is None
    assert grants(wire) == ["grant_type=password"] and not wire.sent_to("GET", "/v1/users/me")


async def test_a_kept_password_signs_in_again_instead(db, open_clinic, wire, clock):
    account = await person(db, "therapist")
    clinic = await signed_in(open_clinic(), account, remember_password=True)
    clock.ahead = timedelta(minutes=31)
    assert (await clinic.users.me()).email == account.email
    assert grants(wire) == ["grant_type=password"] * 2


async def test_a_refresh_token_the_service_refuses_ends_the_session(db, open_clinic, wire, clock):
    clinic = await signed_in(open_clinic(), await person(db, "therapist"))
    kept = clinic.session  # as a second copy of a profile might hold it
    clock.ahead = timedelta(minutes=14, seconds=30)
    await clinic.users.me()  # renews: `kept` holds a used refresh token now
    stale = open_clinic(session=kept)
    # The service refuses the used refresh token; the access token still works a while.
    assert (await stale.users.me()).role == "therapist"
    assert stale.session.refresh_token is None
    clock.ahead = timedelta(minutes=16)
    with pytest.raises(SessionExpired):
        await stale.users.me()
    assert stale.session is None
    assert grants(wire) == ["grant_type=password"] + ["grant_type=refresh_token"] * 2


async def test_a_refused_access_token_is_renewed_and_the_call_sent_again(db, open_clinic, wire):
    clinic = await signed_in(open_clinic(), await person(db, "front_desk"))
    broken = clinic.session.model_copy(update={"access_token": SecretStr("not-a-token")})
    carried = open_clinic(session=broken)
    assert (await carried.users.me()).role == "front_desk"
    assert len(wire.sent_to("GET", "/v1/users/me")) == 2
    assert grants(wire) == ["grant_type=password", "grant_type=refresh_token"]


async def test_a_session_carries_over_to_another_client(db, open_clinic, wire):
    clinic = await signed_in(open_clinic(), await person(db, "admin"))
    saved = clinic.session.model_dump_json(context={"reveal": True})
    carried = open_clinic(session=Session.model_validate_json(saved))
    assert (await carried.users.me()).role == "admin"
    carried.sign_out()
    with pytest.raises(Unauthorized):
        await carried.users.me()


async def test_tokens_and_passwords_never_show(db, open_clinic):
    account = await person(db, "therapist")
    clinic = await signed_in(open_clinic(), account, remember_password=True)
    session = clinic.session
    secrets = [
        session.access_token.get_secret_value(),
        session.refresh_token.get_secret_value(),
        PASSWORD,
    ]
    shown = [repr(clinic), str(clinic), repr(session), str(session), session.model_dump_json()]
    shown += [repr(clinic._engine.__dict__), repr(vars(clinic))]
    assert not [secret for secret in secrets for text in shown if secret in text]
    assert account.email in repr(clinic)
    revealed = session.model_dump_json(context={"reveal": True})
    assert Session.model_validate_json(revealed) == session


async def test_concurrent_calls_renew_the_session_once(committed_apis, committed_db, apps, clock):
    account = await make_account(committed_db, role="therapist")
    wire = Flaky(transport_of("three-urls", apps))
    async with AsyncClinic(urls_of("three-urls"), transport=wire, clock=clock) as clinic:
        await clinic.sign_in(account.email, PASSWORD)
        first = clinic.session
        clock.ahead = timedelta(minutes=14, seconds=30)
        answers = await asyncio.gather(*(clinic.users.me() for _ in range(5)))
        assert {answer.id for answer in answers} == {account.id}
        # Unlocked, each would have presented the same refresh token, which ends the session.
        assert grants(wire) == ["grant_type=password", "grant_type=refresh_token"]
        assert clinic.session.refresh_token != first.refresh_token


async def test_the_blocking_client_renews_alike(db, open_blocking_clinic, wire, clock):
    account = await person(db, "patient")

    def story(clinic) -> str:
        clinic.sign_in(account.email, PASSWORD)
        clock.ahead = timedelta(minutes=14, seconds=30)
        return clinic.users.me().role

    assert await in_thread(story, open_blocking_clinic()) == "patient"
    assert grants(wire) == ["grant_type=password", "grant_type=refresh_token"]
