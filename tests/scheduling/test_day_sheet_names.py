"""The day sheet and the other staff lists carry each patient's display name, asked of the
patients service in one batched call per page, never once per appointment. When the patients
service cannot answer the lookup, the page still comes, complete but without names, and says
so; administrators get no names at all."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.factories import bearer, headers_for, make_patient, token_for
from tests.scheduling.booking import a_clinic, fix_clock

LOOKUP = "/v1/patient-names"
MONDAY = "2026-12-07"


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


def _router(apps):
    return apps["scheduling"].state.http._transport


def _lookups(apps) -> list[httpx.Request]:
    return [call for call in _router(apps).calls if call.url.path == LOOKUP]


class LookupFailing(httpx.AsyncBaseTransport):
    """The patients service, but its lookup fails the way `fail` says; the rest (the account
    check) is answered as usual."""

    def __init__(self, real, fail: Callable[[httpx.Request], httpx.Response]) -> None:
        self.real, self.fail = real, fail

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == LOOKUP:
            return self.fail(request)
        return await self.real.handle_async_request(request)


@contextmanager
def lookup_failing(apps, fail: Callable[[httpx.Request], httpx.Response]) -> Iterator[None]:
    router = _router(apps)
    with router.replaced("patients.test", LookupFailing(router._transports["patients.test"], fail)):
        yield


async def _sheet_of_three(api, apps, db):
    """A clinic with three visits on Monday, of Liz Moreau, Dan Okafor and Ana Ruiz."""
    clinic = await a_clinic(api, apps, db)
    people = [("Elizabeth", "Liz", "Moreau"), ("Daniel", None, "Okafor"), ("Ana", None, "Ruiz")]
    for hour, (given, preferred, family) in zip((9, 10, 11), people, strict=True):
        patient = await make_patient(
            db, given_name=given, preferred_name=preferred, family_name=family
        )
        start = f"{MONDAY}T{hour:02d}:00:00-05:00"
        booked = await clinic.book(patient_id=str(patient.id), start=start)
        assert booked.status_code == 201, booked.text
    return clinic, {"location": clinic.location.slug, "date": MONDAY}


async def test_names_come_in_one_lookup_per_page(scheduling_api, apps, db):
    clinic, params = await _sheet_of_three(scheduling_api, apps, db)
    _router(apps).calls.clear()
    names, pages, cursor = [], 0, None
    while True:
        page_params = params | {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await scheduling_api.get(
            "/v1/appointments", params=page_params, headers=clinic.desk
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["patient_names"] == "shown"
        names += [item["patient_name"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert names == ["Liz Moreau", "Daniel Okafor", "Ana Ruiz"]
    assert (pages, len(_lookups(apps))) == (2, 2)
    patient_reads = [c for c in _router(apps).calls if c.url.path.startswith("/v1/patient")]
    assert patient_reads == _lookups(apps)  # no call per appointment beside them


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("patients is down", request=request)


def _too_slow(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("patients took too long", request=request)


def _failing(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, json={"status": 500})


@pytest.mark.parametrize("fail", [_refused, _too_slow, _failing], ids=["down", "slow", "500"])
async def test_the_sheet_comes_without_names_when_patients_cannot_say(
    scheduling_api, apps, db, fail
):
    clinic, params = await _sheet_of_three(scheduling_api, apps, db)
    with lookup_failing(apps, fail):
        response = await scheduling_api.get("/v1/appointments", params=params, headers=clinic.desk)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["patient_names"] == "unavailable"
    assert len(body["items"]) == 3
    assert [item["patient_name"] for item in body["items"]] == [None, None, None]
    assert all(item["patient_id"] and item["start"] for item in body["items"])


async def test_a_therapists_schedule_has_the_names(scheduling_api, apps, db):
    clinic, _ = await _sheet_of_three(scheduling_api, apps, db)
    mine = bearer(token_for(apps, clinic.therapist))
    params = {"therapist_id": str(clinic.therapist.id), "from": MONDAY, "to": "2026-12-13"}
    response = await scheduling_api.get("/v1/appointments", params=params, headers=mine)
    assert response.status_code == 200, response.text
    assert [i["patient_name"] for i in response.json()["items"]] == [
        "Liz Moreau",
        "Daniel Okafor",
        "Ana Ruiz",
    ]


async def test_admins_get_no_names_and_nothing_is_asked(scheduling_api, apps, db):
    _, params = await _sheet_of_three(scheduling_api, apps, db)
    _router(apps).calls.clear()
    admin = await headers_for(db, apps, "admin")
    response = await scheduling_api.get("/v1/appointments", params=params, headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["patient_names"] == "withheld"
    assert [item["patient_name"] for item in body["items"]] == [None, None, None]
    assert _lookups(apps) == []


async def test_an_empty_page_asks_nothing(scheduling_api, apps, db):
    clinic = await a_clinic(scheduling_api, apps, db)
    _router(apps).calls.clear()
    params = {"location": clinic.location.slug, "date": MONDAY}
    response = await scheduling_api.get("/v1/appointments", params=params, headers=clinic.desk)
    assert response.json() == {"items": [], "next_cursor": None, "patient_names": "shown"}
    assert _lookups(apps) == []
