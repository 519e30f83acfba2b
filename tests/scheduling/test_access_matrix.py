"""Who may call what in the scheduling service, cell by cell over HTTP (matrix row D2).

POLICY is the scheduling rows of the "Plans and scheduling" table of docs/access.md as data:
for each route and each kind of caller, the status. A path with an appointment id gets a real
appointment the caller may see (a patient's own, a therapist's own visit), in the status its
move starts from; another patient's appointment answers 404 (tests/scheduling/
test_appointment_moves.py). A route missing from POLICY, a stale row, or a difference between
POLICY and the table fails the suite. The plans rows are checked by
tests/plans/test_access_matrix.py, the patients service by tests/patients/.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.patients.models import UserAccount
from tests.access_table import (
    CALLERS,
    PUBLIC_PATHS,
    assert_documented,
    assert_every_route_has_a_policy,
)
from tests.factories import bearer, make_account, make_patient, token_for
from tests.scheduling.booking import (
    NOW,
    fix_clock,
    make_appointment,
    make_hold,
    make_hours,
    make_offer,
    make_waitlist_entry,
)
from tests.scheduling.factories import make_feed, make_time_off


def _row(*statuses: int) -> dict[str, int]:
    return dict(zip(CALLERS, statuses, strict=True))


USERS_READ = _row(401, 200, 200, 200, 200, 403)
STAFF_READ = _row(401, 403, 200, 200, 200, 403)
PUBLIC = dict.fromkeys(CALLERS, 200)
TIME_OFF = "/v1/therapists/{therapist_id}/time-off"
APPOINTMENT = "/v1/appointments/{appointment_id}"
MARKS = _row(401, 403, 200, 200, 200, 403)  # a therapist's cell: their own visit
FEED = "/v1/therapists/{therapist_id}/calendar-feed"
DESK_WRITES = _row(401, 403, 201, 403, 201, 403)
HOLD = "/v1/holds/{hold_id}"
ENTRY = "/v1/waitlist/{entry_id}"

# (app, method, path) -> caller -> status; path parameters as the app names them.
POLICY: dict[tuple[str, str, str], dict[str, int]] = {
    ("scheduling", "GET", "/v1/locations"): USERS_READ,
    ("scheduling", "GET", "/v1/locations/{slug}"): USERS_READ,
    ("scheduling", "GET", "/v1/appointment-types"): USERS_READ,
    ("scheduling", "POST", "/v1/appointment-types"): _row(401, 403, 403, 403, 201, 403),
    ("scheduling", "GET", "/v1/appointment-types/{type_slug}"): USERS_READ,
    ("scheduling", "PATCH", "/v1/appointment-types/{type_slug}"): _row(
        401, 403, 403, 403, 200, 403
    ),
    # A therapist's cells are for their own id (another therapist's: 403, tests/scheduling).
    ("scheduling", "PUT", "/v1/therapists/{therapist_id}/hours"): _row(
        401, 403, 403, 403, 200, 403
    ),
    ("scheduling", "GET", "/v1/therapists/{therapist_id}/hours"): STAFF_READ,
    ("scheduling", "POST", TIME_OFF): _row(401, 403, 403, 201, 201, 403),
    ("scheduling", "GET", TIME_OFF): _row(401, 403, 403, 200, 200, 403),
    ("scheduling", "DELETE", f"{TIME_OFF}/{{time_off_id}}"): _row(401, 403, 403, 204, 204, 403),
    ("scheduling", "GET", "/v1/availability"): STAFF_READ,
    ("scheduling", "GET", "/v1/availability/next"): STAFF_READ,
    ("scheduling", "POST", "/v1/appointments"): _row(401, 403, 201, 403, 201, 403),
    ("scheduling", "POST", "/v1/appointments/series"): _row(401, 403, 201, 403, 201, 403),
    ("scheduling", "GET", "/v1/appointments"): STAFF_READ,
    ("scheduling", "GET", APPOINTMENT): USERS_READ,
    ("scheduling", "GET", f"{APPOINTMENT}/fhir"): USERS_READ,
    ("scheduling", "POST", f"{APPOINTMENT}/reschedule"): _row(401, 403, 200, 403, 200, 403),
    ("scheduling", "POST", f"{APPOINTMENT}/cancel"): _row(401, 200, 200, 403, 200, 403),
    ("scheduling", "POST", f"{APPOINTMENT}/check-in"): MARKS,
    ("scheduling", "POST", f"{APPOINTMENT}/no-show"): MARKS,
    ("scheduling", "POST", f"{APPOINTMENT}/complete"): MARKS,
    ("scheduling", "POST", f"{APPOINTMENT}/undo-completion"): MARKS,
    ("scheduling", "GET", "/v1/me/appointments"): _row(401, 200, 403, 403, 403, 403),
    ("scheduling", "GET", "/v1/me/appointments/fhir"): _row(401, 200, 403, 403, 403, 403),
    ("scheduling", "POST", "/v1/holds"): DESK_WRITES,
    ("scheduling", "GET", HOLD): _row(401, 403, 200, 403, 200, 403),
    ("scheduling", "POST", f"{HOLD}/confirm"): DESK_WRITES,
    ("scheduling", "DELETE", HOLD): _row(401, 403, 204, 403, 204, 403),
    ("scheduling", "POST", "/v1/waitlist"): DESK_WRITES,
    ("scheduling", "GET", "/v1/waitlist"): STAFF_READ,
    # A patient's cells are for their own entry or offer; a therapist's, an entry at their
    # clinic (another patient's, another clinic's: tests/scheduling/test_waitlist.py).
    ("scheduling", "GET", ENTRY): USERS_READ,
    ("scheduling", "POST", f"{ENTRY}/withdraw"): _row(401, 200, 200, 403, 200, 403),
    ("scheduling", "POST", "/v1/waitlist/offers/{offer_id}/accept"): _row(
        401, 201, 201, 403, 201, 403
    ),
    ("scheduling", "GET", "/v1/audit"): _row(401, 403, 403, 403, 200, 403),
    # A therapist's cells are for their own feed (another therapist's: 403, tests/scheduling).
    ("scheduling", "POST", FEED): _row(401, 403, 403, 201, 201, 403),
    ("scheduling", "DELETE", FEED): _row(401, 403, 403, 204, 204, 403),
    # No token needed: the secret in the path is the key, whoever sends it.
    ("scheduling", "GET", "/v1/calendar-feeds/{secret}.ics"): PUBLIC,
    **{("scheduling", "GET", path): PUBLIC for path in PUBLIC_PATHS},
}
# A seeded row behind each route that names one.
SEEDED_SLUG = {"/v1/locations/{slug}": "gaithersburg"}
# A well-formed request of each route that takes more than its path (a body, a query, a header).
BODIES: dict[tuple[str, str], object] = {
    ("POST", "/v1/appointment-types"): {
        "slug": "dry-needling",
        "name": "Dry needling",
        "duration_minutes": 30,
        "procedure_code": "20560",
    },
    ("PATCH", "/v1/appointment-types/{type_slug}"): {"name": "Treatment"},
    ("PUT", "/v1/therapists/{therapist_id}/hours"): [
        {"location": "frederick", "weekday": 0, "start": "08:00", "end": "12:00"}
    ],
    ("POST", TIME_OFF): {
        "start": "2026-12-24T12:00:00-05:00",
        "end": "2026-12-28T08:00:00-05:00",
        "reason": "Holidays",
    },
    ("POST", f"{APPOINTMENT}/reschedule"): {"start": "2026-12-10T10:00:00-05:00"},
    ("POST", f"{APPOINTMENT}/cancel"): {"reason": "Moved away"},
    ("POST", f"{HOLD}/confirm"): {},
}
# Where each move starts from: the status of the appointment, and its start (the clock reads
# NOW: Monday 7 December 2026, 08:00 in New York).
BEGUN = NOW - timedelta(minutes=30)
VISITS = {
    "no-show": ("booked", BEGUN),
    "complete": ("checked_in", BEGUN),
    "undo-completion": ("completed", BEGUN),
}
WEDNESDAY_10 = datetime(2026, 12, 9, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


QUERIES = {
    "/v1/availability": {
        "location": "frederick",
        "type": "treatment",
        "from": "2026-12-07",
        "to": "2026-12-11",
    },
    "/v1/availability/next": {"type": "treatment"},
}
IF_MATCH = {("PATCH", "/v1/appointment-types/{type_slug}"): {"If-Match": "*"}}


def _params() -> list[object]:
    return [
        pytest.param(app, method, path, caller, status, id=f"{app} {method} {path} as {caller}")
        for (app, method, path), row in POLICY.items()
        for caller, status in row.items()
    ]


async def _caller(db, apps, caller: str) -> tuple[UserAccount | None, dict[str, str]]:
    if caller == "anonymous":
        return None, {}
    if caller == "service":
        signer = apps["patients"].state.signer
        return None, bearer(signer.service_token(service="plans", lifetime=timedelta(minutes=5)))
    account = await make_account(db, role=caller)
    return account, bearer(token_for(apps, account))


async def _url(db, path: str, account: UserAccount | None) -> str:
    """The path with real values: a seeded slug, and a therapist (the caller, if one) with a
    time off of theirs."""
    url = path.replace("{slug}", SEEDED_SLUG.get(path, "")).replace("{type_slug}", "treatment")
    if "{therapist_id}" in path:
        mine = account is not None and account.role == "therapist"
        therapist = account if mine else await make_account(db, role="therapist")
        url = url.replace("{therapist_id}", str(therapist.id))
        if "{time_off_id}" in path:
            start = datetime(2027, 1, 4, 14, tzinfo=UTC)
            away = await make_time_off(db, therapist.id, start, start + timedelta(hours=2))
            url = url.replace("{time_off_id}", str(away.id))
        if path == FEED:  # one to revoke (or to be replaced by the new one)
            await make_feed(db, therapist.id)
    if "{secret}" in path:
        therapist = await make_account(db, role="therapist")
        url = url.replace("{secret}", await make_feed(db, therapist.id))
    if "{appointment_id}" in path:
        url = url.replace("{appointment_id}", str(await _visit(db, path, account)))
    return await _waiting_url(db, url, account)


async def _waiting_url(db, url: str, account: UserAccount | None) -> str:
    """The path with a hold (for a patient, of a therapist working at Gaithersburg), a
    wait-list entry or an offer of the caller's, if a patient or a therapist there."""
    if "{hold_id}" in url or "{offer_id}" in url:
        patient_id, therapist_id = await _people(db, account)
        if "{offer_id}" in url:
            offer = await make_offer(
                db, patient_id=patient_id, therapist_id=therapist_id, start=WEDNESDAY_10
            )
            return url.replace("{offer_id}", str(offer.id))
        hold = await make_hold(
            db, therapist_id=therapist_id, start=WEDNESDAY_10, patient_id=patient_id
        )
        return url.replace("{hold_id}", str(hold.id))
    if "{entry_id}" in url:
        patient_id, _ = await _people(db, account)
        entry = await make_waitlist_entry(db, patient_id=patient_id)
        return url.replace("{entry_id}", str(entry.id))
    return url


async def _people(db, account: UserAccount | None) -> tuple[uuid.UUID, uuid.UUID]:
    """A patient and a therapist working at Gaithersburg: the caller, if one of them."""
    patient_id = account.patient_id if account and account.patient_id else None
    therapist = account if account and account.role == "therapist" else None
    therapist = therapist or await make_account(db, role="therapist")
    await make_hours(db, therapist.id)
    return patient_id or (await make_patient(db)).id, therapist.id


async def _visit(db, path: str, account: UserAccount | None) -> uuid.UUID:
    status, start = VISITS.get(path.rsplit("/", 1)[-1], ("booked", WEDNESDAY_10))
    patient_id, therapist_id = await _people(db, account)
    visit = await make_appointment(
        db, patient_id=patient_id, therapist_id=therapist_id, start=start, status=status
    )
    return visit.id


# A visit booked or held, a series of two (Wednesdays at 10:00 from 9 December), or a
# wait-list entry (no time).
WHEN = {
    "/v1/appointments": {"start": "2026-12-09T10:00:00-05:00"},
    "/v1/holds": {"start": "2026-12-09T10:00:00-05:00"},
    "/v1/waitlist": {},
    "/v1/appointments/series": {
        "weekdays": [2],
        "time": "10:00",
        "first_date": "2026-12-09",
        "count": 2,
    },
}


async def _body(db, method: str, path: str, account: UserAccount | None) -> object:
    """A booking, a series, a hold, a wait-list entry: of a new patient, with a therapist
    who works at Gaithersburg on Wednesday at 10:00."""
    if method != "POST" or path not in WHEN:
        return BODIES.get((method, path))
    patient_id, therapist_id = await _people(db, None)
    return {
        "patient_id": str(patient_id),
        "therapist_id": str(therapist_id),
        "location": "gaithersburg",
        "type": "treatment",
    } | WHEN[path]


@pytest.mark.parametrize(("app", "method", "path", "caller", "expected"), _params())
async def test_access(apis, db, apps, app, method, path, caller, expected):
    account, headers = await _caller(db, apps, caller)
    url = await _url(db, path, account)

    response = await apis[app].request(
        method,
        url,
        headers=headers | IF_MATCH.get((method, path), {}),
        json=await _body(db, method, path, account),
        params=QUERIES.get(path),
    )

    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_every_route_of_the_app_has_a_policy(apps):
    assert_every_route_has_a_policy("scheduling", apps["scheduling"], POLICY)


def test_the_documented_table_is_this_policy():
    assert_documented("scheduling", POLICY)
