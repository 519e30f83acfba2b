"""Retries: after a connection error or a 503, and only where sending twice does no harm
(a GET; a POST under the Idempotency-Key the client adds, the same on every try). Retry-After
is honoured, up to a bound; the tries are bounded too."""

import time

import httpx
import pytest
from clinic_client import Retry, ServiceUnavailable, ServiceUnreachable
from clinic_client.models import PatientCreate, StaffAccountCreate

from tests.client.conftest import QUICK_RETRIES, in_thread, person, signed_in
from tests.client.stack import LostAnswer, unavailable


def path_is(path: str):
    return lambda request: request.url.path == path


def dana() -> PatientCreate:
    return PatientCreate(
        given_name="Dana",
        family_name="Retry-Okafor",
        birth_date="1978-04-12",
        sex="female",
        home_location="gaithersburg",
    )


async def test_a_503_with_retry_after_is_waited_out_then_the_get_succeeds(db, open_clinic, wire):
    heard: list[Retry] = []
    clinic = await signed_in(open_clinic(on_retry=heard.append), await person(db, "therapist"))
    wire.when, wire.script = path_is("/v1/users/me"), [unavailable(retry_after="1")]
    started = time.monotonic()
    me = await clinic.users.me()
    assert me.role == "therapist" and time.monotonic() - started >= 1.0
    assert len(wire.sent_to("GET", "/v1/users/me")) == 2
    assert [(r.method, r.attempt, r.wait, r.reason) for r in heard] == [
        ("GET", 1, 1.0, "answered 503")
    ]


async def test_a_connection_error_is_retried_then_the_get_succeeds(db, open_clinic, wire):
    heard: list[Retry] = []
    clinic = await signed_in(open_clinic(on_retry=heard.append), await person(db, "therapist"))
    wire.when = path_is("/v1/locations")
    wire.script = [httpx.ConnectError("connection refused")]
    assert [location.slug async for location in clinic.locations.list()]
    assert len(wire.sent_to("GET", "/v1/locations")) == 2
    assert len(heard) == 1 and heard[0].reason.startswith("ConnectError")


async def test_a_keyed_post_whose_answer_was_lost_is_sent_again_under_the_same_key(
    db, open_clinic, wire
):
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    wire.when = path_is("/v1/patients")
    wire.script = [LostAnswer(httpx.ReadTimeout("no answer")), unavailable(retry_after="0")]
    patient = await desk.patients.register(dana())
    tries = wire.sent_to("POST", "/v1/patients")
    assert len(tries) == 3
    assert len({request.headers["Idempotency-Key"] for request in tries}) == 1
    found = [p.id async for p in desk.patients.search("dana retry-okafor")]
    assert found == [patient.id]  # one record, though the service was asked twice


async def test_each_call_has_a_key_of_its_own_unless_given_one(db, open_clinic, wire):
    desk = await signed_in(open_clinic(), await person(db, "front_desk"))
    first = await desk.patients.register(dana(), idempotency_key="front-desk-run-1")
    again = await desk.patients.register(dana(), idempotency_key="front-desk-run-1")
    other = await desk.patients.register(dana())
    assert first.id == again.id != other.id
    keys = [r.headers["Idempotency-Key"] for r in wire.sent_to("POST", "/v1/patients")]
    assert keys[:2] == ["front-desk-run-1"] * 2 and keys[2] != keys[0]


async def test_a_post_without_a_key_is_sent_once_on_a_503_or_a_lost_answer(db, open_clinic, wire):
    admin = await signed_in(open_clinic(), await person(db, "admin"))
    wire.when = path_is("/v1/users")
    wire.script = [unavailable(retry_after="0"), LostAnswer(httpx.ReadError("broken"))]
    account = StaffAccountCreate(
        email="new.therapist@clinic.example",
        display_name="New Therapist",
        role="therapist",
        password="calf-raise-ladder-73",
    )
    with pytest.raises(ServiceUnavailable) as down:
        await admin.users.create_staff(account)
    assert down.value.retry_after == 0
    with pytest.raises(ServiceUnreachable):
        await admin.users.create_staff(account)
    assert len(wire.sent_to("POST", "/v1/users")) == 2  # one each, no retry


async def test_a_post_without_a_key_is_sent_again_when_it_never_left(db, open_clinic, wire):
    admin = await signed_in(open_clinic(), await person(db, "admin"))
    wire.when = path_is("/v1/users")
    wire.script = [httpx.ConnectError("connection refused")]
    account = StaffAccountCreate(
        email="second.therapist@clinic.example",
        display_name="Second Therapist",
        role="therapist",
        password="calf-raise-ladder-73",
    )
    created = await admin.users.create_staff(account)
    assert created.email == account.email and len(wire.sent_to("POST", "/v1/users")) == 2


async def test_a_long_retry_after_ends_the_call_at_once(db, open_clinic, wire):
    clinic = await signed_in(open_clinic(), await person(db, "therapist"))
    wire.when, wire.script = path_is("/v1/users/me"), [unavailable(retry_after="60")]
    with pytest.raises(ServiceUnavailable) as down:
        await clinic.users.me()
    assert down.value.retry_after == 60 and len(wire.sent_to("GET", "/v1/users/me")) == 1


async def test_the_tries_are_bounded(db, open_clinic, wire):
    clinic = await signed_in(open_clinic(), await person(db, "therapist"))
    wire.when = path_is("/v1/users/me")
    wire.script = [httpx.ConnectError("refused")] * QUICK_RETRIES.attempts
    with pytest.raises(ServiceUnreachable) as unreachable:
        await clinic.users.me()
    assert unreachable.value.service == "patients"
    assert len(wire.sent_to("GET", "/v1/users/me")) == QUICK_RETRIES.attempts


async def test_the_blocking_client_retries_alike(db, open_blocking_clinic, wire):
    account = await person(db, "therapist")
    wire.when, wire.script = path_is("/v1/users/me"), [unavailable(retry_after="0")]

    def story(clinic) -> str:
        clinic.sign_in(account.email, "plantar-fascia-42")
        return clinic.users.me().role

    assert await in_thread(story, open_blocking_clinic()) == "therapist"
    assert len(wire.sent_to("GET", "/v1/users/me")) == 2
