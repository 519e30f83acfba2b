"""Calls to another service (matrix rows B2, B3, B5): typed answers, retries of idempotent calls
within a total time budget, and every failure of the other side answered as a problem (503 when
worth retrying later, 502 when the answer is unusable), never a 500 and never a hang."""

import asyncio
import gzip
import json
import time
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel

from services.common.errors import BadGateway, DependencyUnavailable
from services.common.request_context import adopt_request_id, release_request_id
from services.common.service_client import CallPolicy, ServiceClient, process_client

Handler = Callable[[httpx.Request], httpx.Response]


class Location(BaseModel):
    slug: str


class Booking(BaseModel):
    slug: str
    note: str


Answer = Callable[[], httpx.Response] | Exception


def reply(status: int, body: bytes = b"", **headers: str) -> Callable[[], httpx.Response]:
    """An answer sent as is (a Content-Encoding is not applied, so it can lie)."""
    return lambda: httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


def reply_json(status: int, body: object) -> Callable[[], httpx.Response]:
    return reply(status, json.dumps(body).encode(), **{"Content-Type": "application/json"})


def answers(*responses: Answer) -> tuple[list[httpx.Request], Handler]:
    """A fake other service that answers each call with the next of responses (the last
    one again when they run out)."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = responses[min(len(calls), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer()

    return calls, handler


def client_for(handler, policy: CallPolicy | None = None) -> ServiceClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False)
    return ServiceClient(http, "http://scheduling.test", name="scheduling", policy=policy)


LOCATION = reply_json(200, {"slug": "columbia", "city": "Columbia"})
BUSY = reply_json(503, {"detail": "busy"})
DOWN = httpx.ConnectError("connection refused")


async def test_a_typed_get_retries_transient_answers_and_succeeds_once():
    calls, handler = answers(BUSY, reply(502), LOCATION)
    location = await client_for(handler).get("/v1/locations/columbia", Location)
    assert location == Location(slug="columbia")
    assert len(calls) == 3


async def test_a_get_answered_404_is_none_and_not_retried():
    calls, handler = answers(reply_json(404, {"detail": "no"}))
    assert await client_for(handler).get("/v1/locations/nowhere", Location) is None
    assert len(calls) == 1


@pytest.mark.parametrize(
    "failure",
    [DOWN, httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset"), BUSY],
    ids=["connect", "read timeout", "protocol", "503"],
)
async def test_a_service_that_stays_down_is_503_with_retry_after_after_every_attempt(failure):
    calls, handler = answers(failure)
    with pytest.raises(DependencyUnavailable) as raised:
        await client_for(handler).get("/v1/locations/columbia", Location)
    assert raised.value.status == 503 and int(raised.value.headers["Retry-After"]) > 0
    assert len(calls) == 3


async def test_a_500_is_503_and_not_retried():
    calls, handler = answers(reply(500, b"boom"))
    with pytest.raises(DependencyUnavailable):
        await client_for(handler).get("/v1/locations/columbia", Location)
    assert len(calls) == 1


async def test_a_slow_answer_ends_within_the_total_budget():
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return LOCATION

    client = client_for(slow, CallPolicy(attempts=3, budget=0.3))
    started = time.monotonic()
    with pytest.raises(DependencyUnavailable) as raised:
        await client.get("/v1/locations/columbia", Location)
    assert time.monotonic() - started < 2
    assert raised.value.headers["Retry-After"]


async def test_a_short_retry_after_is_honoured_and_a_long_one_ends_the_call():
    short = reply(503, **{"Retry-After": "1"})
    calls, handler = answers(short, LOCATION)
    assert await client_for(handler).get("/v1/locations/columbia", Location) is not None
    assert len(calls) == 2

    long = reply(503, **{"Retry-After": "120"})
    calls, handler = answers(long, LOCATION)
    with pytest.raises(DependencyUnavailable) as raised:
        await client_for(handler).get("/v1/locations/columbia", Location)
    assert len(calls) == 1
    assert raised.value.headers["Retry-After"] == "60"  # passed on, bounded


HUGE = b'{"slug": "' + b"a" * (10 * 1024 * 1024) + b'"}'
UNUSABLE = {
    "not json": reply(200, b"<html>"),
    "wrong shape": reply_json(200, [1, 2]),
    "missing field": reply_json(200, {"city": "Columbia"}),
    "redirect": reply(302, Location="http://evil.example/"),
    "bad gzip": reply(200, b"not gzip at all", **{"Content-Encoding": "gzip"}),
    "10 MB": reply(200, HUGE),
    "gzip bomb": reply(200, gzip.compress(HUGE), **{"Content-Encoding": "gzip"}),
    "401": reply_json(401, {"detail": "who?"}),
    "decoding error": httpx.DecodingError("bad deflate"),
    "too many redirects": httpx.TooManyRedirects("loop"),
}


@pytest.mark.parametrize("answer", list(UNUSABLE))
async def test_an_unusable_answer_is_502_and_never_retried_or_followed(answer):
    calls, handler = answers(UNUSABLE[answer])
    with pytest.raises(BadGateway) as raised:
        await client_for(handler).get("/v1/locations/columbia", Location)
    assert raised.value.status == 502
    assert len(calls) == 1


async def test_an_address_httpx_cannot_build_is_502():
    _, handler = answers(LOCATION)
    with pytest.raises(BadGateway):
        await client_for(handler).get("/v1/locations/[colu\x00mbia", Location)


async def test_a_post_sends_json_and_reads_a_typed_answer():
    calls, handler = answers(reply_json(201, {"slug": "columbia", "note": "booked"}))
    booking = await client_for(handler).post(
        "/v1/bookings", Location(slug="columbia"), Booking, token="t0ken"
    )
    assert booking == Booking(slug="columbia", note="booked")
    [call] = calls
    assert call.method == "POST" and json.loads(call.content) == {"slug": "columbia"}
    assert call.headers["content-type"] == "application/json"
    assert call.headers["authorization"] == "Bearer t0ken"


async def test_a_post_without_an_idempotency_key_is_never_retried():
    calls, handler = answers(BUSY, reply_json(201, {"slug": "c", "note": "n"}))
    with pytest.raises(DependencyUnavailable):
        await client_for(handler).post("/v1/bookings", Location(slug="c"), Booking)
    assert len(calls) == 1


async def test_a_post_with_an_idempotency_key_is_retried_with_the_same_key():
    calls, handler = answers(DOWN, BUSY, reply_json(201, {"slug": "c", "note": "n"}))
    booking = await client_for(handler).post(
        "/v1/bookings", Location(slug="c"), Booking, idempotency_key="key-1"
    )
    assert booking.note == "n"
    assert [c.headers["idempotency-key"] for c in calls] == ["key-1"] * 3


async def test_the_request_id_is_passed_on():
    calls, handler = answers(LOCATION)
    _, context = adopt_request_id("trace-77")
    try:
        await client_for(handler).get("/v1/locations/columbia", Location)
    finally:
        release_request_id(context)
    assert calls[0].headers["x-request-id"] == "trace-77"


@pytest.mark.parametrize(
    "answer",
    [
        reply(200, b"not gzip", **{"Content-Encoding": "gzip"}),
        httpx.DecodingError("bad deflate"),
        httpx.TooManyRedirects("loop"),
    ],
    ids=["bad gzip", "decoding error", "other httpx error"],
)
async def test_through_http_an_undecodable_answer_is_502_not_500(patients_api, db, apps, answer):
    from tests.factories import headers_for

    _, handler = answers(answer)
    body = {
        "given_name": "Ines",
        "family_name": "Okafor",
        "birth_date": "1984-01-09",
        "sex": "female",
        "home_location": "columbia",
    }
    router = apps["patients"].state.http._transport
    headers = await headers_for(db, apps, "front_desk")
    with router.replaced("scheduling.test", httpx.MockTransport(handler)):
        response = await patients_api.post("/v1/patients", json=body, headers=headers)
    assert response.status_code == 502, response.text


def _request_to(app: FastAPI) -> Request:
    return Request({"type": "http", "app": app, "headers": []})


async def test_the_process_client_follows_the_lifespans_http_client(settings):
    """A restarted app (a new lifespan: schemathesis starts one per test) has a new httpx
    client; the service client built on the old one, now closed, must not be used again."""
    app = FastAPI()
    app.state.settings, app.state.service_tokens = settings, None
    async with httpx.AsyncClient() as first:
        app.state.http = first
        assert process_client(_request_to(app), "patients").http is first
    async with httpx.AsyncClient() as second:
        app.state.http = second
        assert process_client(_request_to(app), "patients").http is second
