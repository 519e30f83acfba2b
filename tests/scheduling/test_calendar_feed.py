"""A therapist's calendar feed: made by the therapist (or an admin), read by a calendar app
with no token (the secret in the URL is the key), revoked at will. The document parses as
iCalendar, carries a VTIMEZONE for the clinic's zone and each visit on the clinic's clock
(right on both sides of a change of clocks), names visits by initials and kind only, and is
audited under the therapist at every read."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar
from sqlmodel import col, select

from services.scheduling.models import AuditEvent, CalendarFeed
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.scheduling.booking import a_clinic, make_appointment
from tests.scheduling.factories import make_clinic, make_therapist

# The feed's clock: Sunday 1 March 2026, 08:00 in New York; clocks go forward on 8 March.
FEED_NOW = datetime(2026, 3, 1, 13, tzinfo=UTC)
FRIDAY_BEFORE = datetime(2026, 3, 6, 14, tzinfo=UTC)  # 09:00 EST (-05:00)
MONDAY_AFTER = datetime(2026, 3, 9, 13, tzinfo=UTC)  # 09:00 EDT (-04:00)
NEW_YORK = "America/New_York"


@pytest.fixture(autouse=True)
def _feed_clock(monkeypatch):
    monkeypatch.setattr("services.scheduling.calendar.routes.utcnow", lambda: FEED_NOW)


def _feed_path(url: str) -> str:
    return urlsplit(url).path


async def _make_feed(api, headers, therapist_id) -> httpx.Response:
    return await api.post(f"/v1/therapists/{therapist_id}/calendar-feed", headers=headers)


async def _visits_around_the_change(api, apps, db):
    """A clinic in New York whose therapist sees Liz Moreau on the Friday before clocks go
    forward and the Monday after, both at 09:00 on the clinic's clock."""
    clinic = await a_clinic(api, apps, db)
    clinic.patient = await make_patient(
        db,
        given_name="Elizabeth",
        preferred_name="Liz",
        family_name="Moreau",
        diagnoses=[{"code": "G57.62", "laterality": "left"}],
    )
    visits = [
        await make_appointment(
            db,
            patient_id=clinic.patient.id,
            therapist_id=clinic.therapist.id,
            start=start,
            location=clinic.location.slug,
        )
        for start in (FRIDAY_BEFORE, MONDAY_AFTER)
    ]
    return clinic, visits


async def _read(api, url: str) -> httpx.Response:
    return await api.get(_feed_path(url))  # no Authorization header: the URL is the key


async def test_a_calendar_app_reads_the_visits_on_the_clinics_clock(scheduling_api, apps, db):
    clinic, (friday, monday) = await _visits_around_the_change(scheduling_api, apps, db)
    mine = bearer(token_for(apps, clinic.therapist))
    made = await _make_feed(scheduling_api, mine, clinic.therapist.id)
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith("http://scheduling.test/v1/calendar-feeds/") and url.endswith(".ics")

    response = await _read(scheduling_api, url)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert b"\r\nX-PUBLISHED-TTL:PT15M\r\n" in response.content  # fetch again in 15 minutes
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [NEW_YORK]
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"{v.id}@scheduling.test" for v in (friday, monday)]
    for event, instant in zip(events, (FRIDAY_BEFORE, MONDAY_AFTER), strict=True):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == NEW_YORK
        assert (start.hour, start.minute, end.hour, end.minute) == (9, 0, 9, 45)
        assert start.astimezone(UTC) == instant and end.astimezone(UTC) == instant + timedelta(
            minutes=45
        )
        assert str(event["SUMMARY"]) == "L.M. - Treatment visit"
        assert str(event["LOCATION"]) == "Test clinic"
        assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CONFIRMED", 1)
        assert event.decoded("DTSTAMP") == FEED_NOW


async def test_the_feed_names_no_patient_and_no_diagnosis(scheduling_api, apps, db):
    clinic, _ = await _visits_around_the_change(scheduling_api, apps, db)
    made = await _make_feed(
        scheduling_api, bearer(token_for(apps, clinic.therapist)), clinic.therapist.id
    )
    body = (await _read(scheduling_api, made.json()["url"])).text.lower()
    patient = clinic.patient
    for secret in ("elizabeth", "liz ", "moreau", str(patient.id), "g57", "neuroma", "left"):
        assert secret.lower() not in body, secret


async def test_only_live_visits_in_the_window_are_shown(scheduling_api, apps, db):
    clinic, (friday, _) = await _visits_around_the_change(scheduling_api, apps, db)
    cancelled = await make_appointment(
        db,
        patient_id=clinic.patient.id,
        therapist_id=clinic.therapist.id,
        start=FRIDAY_BEFORE + timedelta(hours=2),
        location=clinic.location.slug,
        status="cancelled",
        cancel_reason="flu",
    )
    too_far = [FEED_NOW - timedelta(days=31), FEED_NOW + timedelta(days=181)]
    others = [
        await make_appointment(
            db,
            patient_id=clinic.patient.id,
            therapist_id=clinic.therapist.id,
            start=start,
            location=clinic.location.slug,
        )
        for start in too_far
    ]
    someone_elses = await make_appointment(
        db,
        patient_id=(await make_patient(db)).id,
        therapist_id=(await make_therapist(db)).id,
        start=FRIDAY_BEFORE,
        location=clinic.location.slug,
    )
    made = await _make_feed(
        scheduling_api, bearer(token_for(apps, clinic.therapist)), clinic.therapist.id
    )
    body = (await _read(scheduling_api, made.json()["url"])).text
    assert str(friday.id) in body
    for hidden in (cancelled, *others, someone_elses):
        assert str(hidden.id) not in body


async def test_a_new_feed_revokes_the_old_and_a_revoked_feed_is_404(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    mine = bearer(token_for(apps, therapist))
    first = (await _make_feed(scheduling_api, mine, therapist.id)).json()["url"]
    second = (await _make_feed(scheduling_api, mine, therapist.id)).json()["url"]
    assert first != second
    gone = await _read(scheduling_api, first)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert (await _read(scheduling_api, second)).status_code == 200

    url = f"/v1/therapists/{therapist.id}/calendar-feed"
    assert (await scheduling_api.delete(url, headers=mine)).status_code == 204
    assert (await _read(scheduling_api, second)).status_code == 404
    assert (await scheduling_api.delete(url, headers=mine)).status_code == 404
    unknown = await scheduling_api.get("/v1/calendar-feeds/not-a-feed.ics")
    assert unknown.status_code == 404 and unknown.json() | {"instance": None} == gone.json() | {
        "instance": None
    }
    refused = await _actions(db, "calendar_feed.read", outcome="denied")
    assert [r.actor_user_id for r in refused] == [therapist.id, therapist.id, None]


async def test_only_the_secrets_hash_is_kept(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    made = await _make_feed(scheduling_api, bearer(token_for(apps, therapist)), therapist.id)
    secret = _feed_path(made.json()["url"]).rsplit("/", 1)[-1].removesuffix(".ics")
    assert len(secret) == 43
    (feed,) = (
        await db.exec(select(CalendarFeed).where(col(CalendarFeed.therapist_id) == therapist.id))
    ).all()
    assert secret not in feed.token_hash and len(feed.token_hash) == 64


async def test_another_therapists_feed_is_refused(scheduling_api, apps, db):
    owner, other = await make_therapist(db), await make_therapist(db)
    theirs = bearer(token_for(apps, other))
    url = f"/v1/therapists/{owner.id}/calendar-feed"
    assert (await scheduling_api.post(url, headers=theirs)).status_code == 403
    made = await _make_feed(scheduling_api, bearer(token_for(apps, owner)), owner.id)
    assert (await scheduling_api.delete(url, headers=theirs)).status_code == 403
    assert (await _read(scheduling_api, made.json()["url"])).status_code == 200
    desk = await headers_for(db, apps, "front_desk")
    assert (await scheduling_api.post(url, headers=desk)).status_code == 403
    refusals = await _actions(db, "calendar_feed.create", outcome="denied")
    assert [r.actor_user_id for r in refusals] == [other.id]


async def test_an_admin_makes_a_feed_only_for_an_active_therapist(scheduling_api, apps, db):
    admin = await headers_for(db, apps, "admin")
    therapist = await make_therapist(db)
    assert (await _make_feed(scheduling_api, admin, therapist.id)).status_code == 201
    desk = await make_account(db, role="front_desk")
    assert (await _make_feed(scheduling_api, admin, desk.id)).status_code == 404
    assert (await _make_feed(scheduling_api, admin, uuid.uuid4())).status_code == 404
    disabled = await make_therapist(db, disabled_at=datetime.now(UTC))
    assert (await _make_feed(scheduling_api, admin, disabled.id)).status_code == 409


async def test_a_disabled_therapists_feed_stops(scheduling_api, apps, db):
    therapist = await make_therapist(db)
    made = await _make_feed(scheduling_api, bearer(token_for(apps, therapist)), therapist.id)
    therapist.disabled_at = datetime.now(UTC)
    db.add(therapist)
    await db.commit()
    assert (await _read(scheduling_api, made.json()["url"])).status_code == 404


async def test_the_feed_is_503_when_patients_cannot_name_the_visits(scheduling_api, apps, db):
    clinic, _ = await _visits_around_the_change(scheduling_api, apps, db)
    made = await _make_feed(
        scheduling_api, bearer(token_for(apps, clinic.therapist)), clinic.therapist.id
    )
    router = apps["scheduling"].state.http._transport
    real = router._transports["patients.test"]

    class LookupDown(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/patient-names":
                raise httpx.ConnectError("patients is down", request=request)
            return await real.handle_async_request(request)

    with router.replaced("patients.test", LookupDown()):
        response = await _read(scheduling_api, made.json()["url"])
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "60"
    assert response.headers["content-type"] == "application/problem+json"
    assert await _actions(db, "calendar_feed.read") == []


async def test_every_read_is_audited_under_the_therapist(scheduling_api, apps, db):
    clinic, (friday, monday) = await _visits_around_the_change(scheduling_api, apps, db)
    made = await _make_feed(
        scheduling_api, bearer(token_for(apps, clinic.therapist)), clinic.therapist.id
    )
    path = _feed_path(made.json()["url"])
    response = await scheduling_api.get(path, headers={"X-Request-ID": "feed-read-1"})
    assert response.status_code == 200
    summary, per_patient = await _actions(db, "calendar_feed.read")
    for row in (summary, per_patient):
        assert (row.actor_user_id, row.actor_role) == (clinic.therapist.id, "therapist")
        assert row.client_ip is not None and row.request_id == "feed-read-1"
    assert summary.patient_id is None and summary.detail["returned"] == 2
    assert per_patient.patient_id == clinic.patient.id
    assert per_patient.detail["appointment_ids"] == [str(friday.id), str(monday.id)]
    made_rows = await _actions(db, "calendar_feed.create")
    assert [r.actor_user_id for r in made_rows] == [clinic.therapist.id]


async def test_the_url_starts_with_the_public_address_when_set(
    scheduling_api, apps, db, monkeypatch
):
    settings = apps["scheduling"].state.settings
    monkeypatch.setattr(settings, "public_url", "https://clinic.example/")
    clinic, (friday, _) = await _visits_around_the_change(scheduling_api, apps, db)
    made = await _make_feed(
        scheduling_api, bearer(token_for(apps, clinic.therapist)), clinic.therapist.id
    )
    url = made.json()["url"]
    assert url.startswith("https://clinic.example/v1/calendar-feeds/")
    calendar = Calendar.from_ical((await _read(scheduling_api, url)).content)
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"{friday.id}@clinic.example"


async def test_feeds_made_at_once_leave_exactly_one_live(committed_apis, committed_db, apps):
    therapist = await make_therapist(committed_db)
    mine = bearer(token_for(apps, therapist))
    api = committed_apis["scheduling"]
    answers = await asyncio.gather(*(_make_feed(api, mine, therapist.id) for _ in range(10)))
    assert [a.status_code for a in answers] == [201] * 10
    reads = [await _read(api, a.json()["url"]) for a in answers]
    assert sorted(r.status_code for r in reads) == [200] + [404] * 9
    live = select(CalendarFeed).where(
        col(CalendarFeed.therapist_id) == therapist.id, col(CalendarFeed.revoked_at).is_(None)
    )
    assert len((await committed_db.exec(live)).all()) == 1


async def test_a_clinic_elsewhere_brings_its_own_time_zone(scheduling_api, apps, db):
    clinic, _ = await _visits_around_the_change(scheduling_api, apps, db)
    west = await make_clinic(db, time_zone="America/Los_Angeles", name="West clinic")
    await make_appointment(
        db,
        patient_id=clinic.patient.id,
        therapist_id=clinic.therapist.id,
        start=MONDAY_AFTER + timedelta(hours=5),  # 11:00 in Los Angeles
        location=west.slug,
    )
    made = await _make_feed(
        scheduling_api, bearer(token_for(apps, clinic.therapist)), clinic.therapist.id
    )
    calendar = Calendar.from_ical((await _read(scheduling_api, made.json()["url"])).content)
    zones = sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE"))
    assert zones == ["America/Los_Angeles", NEW_YORK]
    west_visit = calendar.walk("VEVENT")[-1]
    assert west_visit.decoded("DTSTART").hour == 11 and str(west_visit["LOCATION"]) == "West clinic"


async def _actions(db, action: str, *, outcome: str = "success") -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(col(AuditEvent.action) == action, col(AuditEvent.outcome) == outcome)
        .order_by(col(AuditEvent.id))
    )
    return list((await db.exec(statement)).all())
