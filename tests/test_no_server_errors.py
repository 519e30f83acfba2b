"""No request to any route of the three services gets a 5xx (issue 2's bar, matrix rows C1/C4).

The walk covers every route of each app (flattened; a route no request was routed to fails the
test) as each kind of caller: anonymous, patient, front desk, therapist, admin, and another
service of the platform (a service token, scheduling's in patients and plans' elsewhere; it
reaches the service-only routes, such as an account's status or the lookup of names, with real
ids, a random one and garbage). Its requests
are built from what each route declares in its OpenAPI operation:
- path ids that exist (a patient, the caller's own record, another patient's, real accounts,
  real slugs, a therapist and their time off, signed plans of the caller and of another
  patient with a home log, a red flag and a progress report, a live calendar feed's secret,
  holds, wait-list entries and offers) and ids that do not or cannot;
- query strings from the route's own query parameters, valid and hostile (huge and negative
  numbers, NUL bytes, LIKE wildcards, unicode, bytes that are not UTF-8, tampered cursors,
  impossible dates), each beside valid values of the parameters the route requires;
- headers it declares (If-Match), valid and hostile;
- bodies from its body schema: valid, then with each field (and each field of a nested object)
  made hostile, plus bodies that are not the declared media type at all.
Every answer must be below 500 and every error problem+json. A request the walk built valid
must not be refused as invalid (400/422): else its hostile variants, which differ from it in
one value, would be refused for the wrong reason and test nothing.
"""

import itertools
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.patients.models import Patient, UserAccount
from services.plans.models import PlanOfCare, ProgressReport, RedFlag
from services.scheduling.models import Appointment, TimeOff
from tests.app_routes import RouteLedger, api_routes, served_routes
from tests.declared_input import (
    GARBAGE_IDS,
    HEADERS,
    LEFT_OUT,
    NOT_THE_MEDIA_TYPE,
    QUERY_RAW,
    Body,
    Schemas,
    body_variants,
    query_variants,
    valid_body,
)
from tests.factories import PASSWORD, bearer, make_account, make_patient, token_for
from tests.plans.factories import make_plan, make_session
from tests.plans.home_setup import clinic_today
from tests.scheduling.booking import (
    fix_clock,
    make_appointment,
    make_hold,
    make_hours,
    make_offer,
    make_waitlist_entry,
)
from tests.scheduling.factories import make_feed

SERVICES = ("patients", "plans", "scheduling")
PLAN_STATES = ("active", "draft")  # a plan to change and one to sign
ROLES = ("anonymous", "patient", "front_desk", "therapist", "admin", "service")
# Whose service token the "service" role carries: scheduling's in patients, so that the
# lookup of names (scheduling's alone) is walked past its role check; plans' elsewhere.
CALLING_SERVICE = {"patients": "scheduling", "plans": "plans", "scheduling": "plans"}
STRONG = "a-long-unusual-passphrase-9"
# Seeded reference data: an exercise and a protocol of plans, a clinic of scheduling.
REAL_SLUGS = {"plans": ["toe-spreads", "mortons-neuroma"], "scheduling": ["gaithersburg"]}
REAL_VALUES = {"type_slug": "treatment"}  # seeded too
TODAY = clinic_today()
# The bookings' clock: Tuesday 1 December 2026, 10:00 in New York.
WALK_CLOCK = datetime(2026, 12, 1, 15, tzinfo=UTC)
PROBLEM_JSON = "application/problem+json"

# -- the records a walk targets, and what valid input looks like ------------------------------


@dataclass
class World:
    """The caller and real records: another patient with a login, one without (who can be
    given one), and a staff account. Anonymous callers and services have no account."""

    caller: UserAccount | None
    own_record: Patient | None
    other: Patient
    other_login: UserAccount
    without_login: Patient
    staff: UserAccount  # a therapist, with time off
    time_off: TimeOff
    headers: dict[str, str]
    plan_records: dict[str, list[str]] = field(default_factory=dict)
    # Plans the walk's paths name: another patient's in each of PLAN_STATES, the caller's own.
    plans: list[PlanOfCare] = field(default_factory=list)
    logged_plan: PlanOfCare | None = None  # another patient's, signed: bodies name it
    appointments: list[Appointment] = field(default_factory=list)  # the patients' below
    feed_secret: str = ""  # a live calendar feed of a therapist no other path names
    waiting: dict[str, list[str]] = field(default_factory=dict)  # holds, entries, offers

    @classmethod
    async def build(cls, db, apps, role: str, service: str) -> "World":
        other = await make_patient(db, given_name="Walker", family_name=f"Walk-{uuid.uuid4().hex}")
        other_login = await make_account(db, role="patient", patient=other)
        without_login = await make_patient(db, given_name="Lonnie")
        staff = await make_account(db, role="therapist")
        start = datetime(2027, 1, 4, 14, tzinfo=UTC)
        time_off = TimeOff(
            therapist_id=staff.id,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            reason="training",
            created_by=staff.id,
        )
        db.add(time_off)
        caller = None if role in ("anonymous", "service") else await make_account(db, role=role)
        own = await db.get(Patient, caller.patient_id) if caller and caller.patient_id else None
        headers = bearer(token_for(apps, caller)) if caller else {}
        if role == "service":
            signer = apps["patients"].state.signer
            calling = CALLING_SERVICE[service]
            token = signer.service_token(service=calling, lifetime=timedelta(minutes=30))
            headers = bearer(token)
        world = cls(caller, own, other, other_login, without_login, staff, time_off, headers)
        world.plans = [await make_plan(db, patient_id=other.id, status=s) for s in PLAN_STATES]
        if own is not None:
            world.plans.append(await make_plan(db, patient_id=own.id))
        logged, world.plan_records = await _plan_records(
            db, [p for p in (own, other) if p is not None], staff
        )
        world.logged_plan = logged[-1]
        patients = [p for p in (own, other) if p is not None]
        world.appointments = await _appointments(db, patients, staff)
        world.feed_secret = await _feed(db, other)
        world.waiting = await _waiting(db, patients, staff)
        return world

    def real_path_values(self, service: str, name: str) -> list[str]:
        ids = {
            "patient_id": [self.own_record, self.other, self.without_login],
            "user_id": [self.caller, self.staff, self.other_login],
            "therapist_id": [self.caller if self._is("therapist") else None, self.staff],
            "time_off_id": [self.time_off],
            "appointment_id": self.appointments,
        }
        if name == "secret":  # a calendar feed's
            return [self.feed_secret]
        ids["plan_id"] = self.plans
        if name in ids:
            return [str(record.id) for record in ids[name] if record is not None]
        if name in self.waiting:
            return self.waiting[name]
        if name in self.plan_records:
            return self.plan_records[name]
        if name in REAL_VALUES:
            return [REAL_VALUES[name]]
        if name == "number":  # a plan's revision
            return ["1"]
        assert name == "slug", f"the walk knows no real value for the path parameter {name!r}"
        return REAL_SLUGS[service]

    def _is(self, role: str) -> bool:
        return self.caller is not None and self.caller.role == role

    def query_value(self, name: str) -> str | None:
        """A value a route's query parameter of this name accepts and finds records with."""
        return {
            "name": self.other.family_name,
            "phone": "(301) 555-0123",
            "birth_date": "1979-05-17",
            "home_location": "gaithersburg",
            "patient_id": str(self.other.id),
            "actor_id": str(self.staff.id),
            "action": "patient.read",
            "body_region": "foot",
            "tag": "forefoot",
            "location": "gaithersburg",
            "locations": "gaithersburg",
            "type": "treatment",
            "from": "2026-12-07",
            "to": "2026-12-11",
            "after": "2026-12-07T08:00:00-05:00",
            "therapist_id": str(self.staff.id),
        }.get(name)

    def body_value(self, name: str, form: bool, fmt: str | None = None) -> Any:
        """A value a body field of this name (and format) accepts; a form is the sign-in,
        whose password is the caller's real one."""
        if form:
            email = (self.caller or self.staff).email
            return {"username": email, "password": PASSWORD, "refresh_token": "r" * 43}.get(name)
        plan = self.logged_plan  # a visit or a report is taken on it
        assert plan is not None
        records = {
            "patient_id": str(self.other.id),
            "therapist_id": str(self._therapist().id),
            "plan_id": str(plan.id),
            "goal_id": plan.goals[0]["id"],
        }
        if name in records:
            return records[name]
        return BODY_VALUES_BY_FORMAT.get((name, fmt), BODY_VALUES.get(name))

    def _therapist(self) -> UserAccount:
        """Whom a plan is for: the caller if a therapist, else a therapist an admin names."""
        return self.caller if self.caller and self.caller.role == "therapist" else self.staff


async def _plan_records(
    db, patients: list[Patient], staff: UserAccount
) -> tuple[list[PlanOfCare], dict[str, list[str]]]:
    """A signed plan of care for each patient, with today's home log, a red flag and a
    progress report on it."""
    plans, records = [], {"plan_id": [], "session_id": [], "flag_id": [], "report_id": []}
    for patient in patients:
        plan = await make_plan(db, patient_id=patient.id, progress_reports=1)
        logged = await make_session(db, plan=plan, performed_on=clinic_today(), pain=9)
        flag = RedFlag(plan_id=plan.id, session_id=logged.id, reason="pain_high", detail="9")
        report = ProgressReport(plan_id=plan.id, number=1, created_by=staff.id)
        db.add_all([flag, report])
        await db.commit()
        plans.append(plan)
        for name, value in zip(records, (plan.id, logged.id, flag.id, report.id), strict=True):
            records[name].append(str(value))
    return plans, records


async def _appointments(db, patients: list[Patient], staff: UserAccount) -> list[Appointment]:
    """A booked visit of each patient with the walk's therapist, who works at Gaithersburg on
    weekdays (the walk moves them to Thursday 24 December at 12:00, its date-time start)."""
    await make_hours(db, staff.id)
    visits = []
    for day, patient in enumerate(patients):
        start = WALK_CLOCK + timedelta(days=20 + day)
        visits.append(
            await make_appointment(db, patient_id=patient.id, therapist_id=staff.id, start=start)
        )
    return visits


async def _feed(db, patient: Patient) -> str:
    """A calendar feed of a therapist of its own (the walk revokes the feeds of the therapists
    its paths name), showing a visit of the patient: the feed's secret."""
    owner = await make_account(db, role="therapist")
    start = WALK_CLOCK + timedelta(days=25)  # after the walk's own visits of the patient
    await make_appointment(db, patient_id=patient.id, therapist_id=owner.id, start=start)
    return await make_feed(db, owner.id)


async def _waiting(db, patients: list[Patient], staff: UserAccount) -> dict[str, list[str]]:
    """For each patient, a hold of the walk's therapist (for the other patient, whom the
    walk's bodies name), a wait-list entry, and an offer of another held time."""
    records: dict[str, list[str]] = {"hold_id": [], "entry_id": [], "offer_id": []}
    for day, patient in enumerate(patients):
        start = WALK_CLOCK + timedelta(days=22 + day)  # Wednesday 23 December on, 10:00
        hold = await make_hold(db, therapist_id=staff.id, start=start, patient_id=patients[-1].id)
        entry = await make_waitlist_entry(db, patient_id=patient.id)
        offered = WALK_CLOCK + timedelta(days=27 + day)  # Monday 28 December on, 10:00
        offer = await make_offer(db, patient_id=patient.id, therapist_id=staff.id, start=offered)
        for name, record in zip(records, (hold, entry, offer), strict=True):
            records[name].append(str(record.id))
    return records


BODY_VALUES = {
    "given_name": "Rosa",
    "family_name": "Delgado",
    "preferred_name": "Rosie",
    "birth_date": "1978-09-30",
    "home_location": "frederick",
    "phone": "(301) 555-0199",
    "code": "G57.62",
    "description": "Morton's neuroma, left foot",
    "line1": "12 Main Street",
    "line2": "Suite 4",
    "city": "Gaithersburg",
    "state": "MD",
    "postal_code": "20878",
    "name": "Ana Delgado",
    "relationship": "sister",
    "payer": "Aetna",
    "member_id": "W123456789",
    "group_number": "G-100",
    "npi": "1234567893",
    "reason": "moved away",
    "display_name": "Walk Staff",
    "password": STRONG,
    "current_password": PASSWORD,
    "new_password": "another-unusual-passphrase-71",
    # An exercise a protocol may name (the walk retires toe-spreads, and protocols refuse
    # retired exercises); adding an exercise of that slug is a 409, never a 422.
    "slug": "single-leg-balance",
    "icd10_codes": ["G57.62"],
    "performed_on": clinic_today().isoformat(),
    "occurred_at": "2026-11-20T15:00:00+00:00",
    # plans of care: a neuroma plan starting today, with dates that fit it
    "protocol": "mortons-neuroma",
    "location": "gaithersburg",
    "start_date": TODAY.isoformat(),
    "certification_start": TODAY.isoformat(),
    "certification_end": (TODAY + timedelta(days=30)).isoformat(),
    "target_date": (TODAY + timedelta(days=42)).isoformat(),
    "type": "treatment",
    "room": "Gym",
    # a series: Mondays at 12:00 from 24 December (the first on the 28th), `count` of them
    "time": "12:00",
    "first_date": "2026-12-24",
    "last_date": LEFT_OUT,
    "procedure_code": "97110",
    "alternative_codes": ["97161"],
    # a wait-list entry's times of day
    "earliest": "08:00",
    "latest": "18:00",
}
# One name, two kinds of value: a therapist's hours are local "HH:MM", time off is instants.
BODY_VALUES_BY_FORMAT = {
    ("start", None): "09:00",
    ("end", None): "12:00",
    ("start", "date-time"): "2026-12-24T12:00:00-05:00",
    ("end", "date-time"): "2026-12-28T08:00:00-05:00",
}

# -- the walk ---------------------------------------------------------------------------------


@dataclass
class Walk:
    """One caller walking one service. What goes wrong is collected, not raised, so that one
    run reports every failing request."""

    api: httpx.AsyncClient
    service: str
    world: World
    schemas: Schemas
    operations: dict[str, Any]
    server_errors: list[str] = field(default_factory=list)
    not_problem_json: list[str] = field(default_factory=list)
    valid_refused: list[str] = field(default_factory=list)
    # Valid values of the query parameters the route being walked requires: sent with every
    # request to it, so that a variant is refused for what it changed, not for what it lacks.
    required_query: dict[str, str] = field(default_factory=dict)

    async def send(
        self,
        label: str,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: Body | None = None,
        params: dict[str, str] | None = None,
        valid: bool = False,
    ) -> int:
        headers = self.world.headers | {k: _fresh(v) for k, v in headers.items()}
        if body is not None:
            headers |= {"content-type": body.media_type}
        content = body.content if body is not None else None
        params = self.required_query | (params or {}) if self.required_query else params
        response = await self.api.request(
            method, url, params=params, headers=headers, content=content
        )
        status, what = response.status_code, f"{method} {url[:90]} {params or ''} [{label}]"
        if status >= 500:
            self.server_errors.append(f"{what}: {status} {response.text[:200]}")
        if status >= 400 and response.headers.get("content-type") != PROBLEM_JSON:
            self.not_problem_json.append(f"{what}: {status} {response.headers.get('content-type')}")
        if valid and status in (400, 422):
            self.valid_refused.append(f"{what}: {status} {response.text[:300]}")
        return status

    async def route(self, method: str, path: str) -> None:
        operation = self.operations.get(path, {}).get(method.lower(), {})
        declared = operation.get("parameters", [])
        self.required_query = self._required_query(declared)
        headers = {p["name"]: _valid_header(p["name"]) for p in declared if p["in"] == "header"}
        content = operation.get("requestBody", {}).get("content", {})
        body = self._valid_body(content)
        url = await self._each_path_value(method, path, headers, body)
        if url is None:
            await self._not_the_media_type(method, path, headers, content)
            return
        for parameter in (p for p in declared if p["in"] == "query"):
            await self._query(method, url, parameter, headers, body)
        for name in headers:
            for value in HEADERS.get(name.lower(), HEADERS[""]):
                await self.send(value, method, url, headers=headers | {name: value}, body=body)
        await self._bodies(method, url, headers, content)

    def _required_query(self, declared: list[dict[str, Any]]) -> dict[str, str]:
        required = [p["name"] for p in declared if p["in"] == "query" and p.get("required")]
        values = {name: self.world.query_value(name) for name in required}
        unknown = [name for name, value in values.items() if value is None]
        assert not unknown, f"the walk knows no valid value for the query parameters {unknown}"
        return {name: value for name, value in values.items() if value is not None}

    def _valid_body(self, content: dict[str, Any]) -> Body | None:
        """The valid body in the route's first declared media type; None if it takes none."""
        for media_type, declared in content.items():
            return valid_body(self.schemas, media_type, declared["schema"], self.world.body_value)
        return None

    async def _bodies(self, method: str, url: str, headers, content: dict[str, Any]) -> None:
        for media_type, declared in content.items():
            for body in body_variants(
                self.schemas, media_type, declared["schema"], self.world.body_value
            ):
                await self.send(
                    body.label, method, url, headers=headers, body=body, valid=body.valid
                )
        await self._not_the_media_type(method, url, headers, content)

    async def _not_the_media_type(self, method: str, url: str, headers, content) -> None:
        """Bodies the route's parser must refuse: read before the caller's role is checked."""
        for label, (raw, media_type) in NOT_THE_MEDIA_TYPE.items() if content else ():
            await self.send(label, method, url, headers=headers, body=Body(label, raw, media_type))

    async def _each_path_value(self, method, path, headers, body: Body | None) -> str | None:
        """Send the valid request at every real and every garbage path value. Answer the URL
        where it went furthest (a 2xx if any): the variants are sent there. None when the
        route refuses this caller (401/403) everywhere: its role check answers before any
        query, header or field is read, so every variant would hear the same refusal."""
        names = re.findall(r"\{([^}]+)\}", path)
        real = [self.world.real_path_values(self.service, name) for name in names]
        statuses = {}
        for values in itertools.product(*real):
            url = _fill(path, values)
            statuses[url] = await self.send(
                "valid", method, url, headers=headers, body=body, valid=True
            )
        for value in GARBAGE_IDS if names else ():
            url = _fill(path, [value] * len(names))
            await self.send("garbage id", method, url, headers=headers, body=body)
        if all(status in (401, 403) for status in statuses.values()):
            return None
        return min(statuses, key=lambda url: statuses[url] >= 300)

    async def _query(self, method, url, parameter, headers, body: Body | None) -> None:
        name = parameter["name"]
        known = self.world.query_value(name)
        for value, valid in query_variants(name, parameter["schema"], self.schemas, known):
            params = {name: value}
            await self.send(
                name, method, url, headers=headers, body=body, params=params, valid=valid
            )
        if name == "cursor":  # a real one: the next page of a one-item page
            first = await self.api.get(url, params={"limit": "1"}, headers=self.world.headers)
            cursor = first.json().get("next_cursor") if first.status_code == 200 else None
            if cursor:
                params = {name: cursor}
                await self.send(
                    "live cursor", method, url, headers=headers, params=params, valid=True
                )
        raw = f"{url}?{name}={QUERY_RAW}&{name}=twice"
        await self.send(f"{name} not UTF-8, twice", method, raw, headers=headers, body=body)


FRESH = "<a new one>"


def _valid_header(name: str) -> str:
    """If-Match: any version, so that bodies get past the precondition to their validation.
    Any other header (an Idempotency-Key): a new value on every request, since one key sent
    again with another body is rightly refused."""
    return "*" if name.lower() == "if-match" else FRESH


def _fresh(value: str) -> str:
    return str(uuid.uuid4()) if value == FRESH else value


def _fill(path: str, values) -> str:
    values = iter(values)
    return re.sub(r"\{[^}]+\}", lambda _: next(values), path)


async def _unserved_method(walk: Walk, path: str, served: set[str]) -> None:
    """A method the path does not serve: 405, as problem+json like every error."""
    method = next(m for m in ("DELETE", "PUT", "PATCH", "POST", "GET") if m not in served)
    names = re.findall(r"\{([^}]+)\}", path)
    url = _fill(path, [walk.world.real_path_values(walk.service, n)[0] for n in names])
    assert await walk.send("unserved method", method, url, headers={}) == 405, (method, url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", SERVICES)
async def test_no_route_answers_5xx(apps, db, service, role, monkeypatch):
    fix_clock(monkeypatch, WALK_CLOCK)
    app = apps[service]
    ledger = RouteLedger(app)
    document = app.openapi()
    transport = httpx.ASGITransport(app=ledger)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}.test") as api:
        world = await World.build(db, apps, role, service)
        schemas = Schemas(document.get("components", {}).get("schemas", {}))
        walk = Walk(api, service, world, schemas, document["paths"])
        for method, path in api_routes(app):
            await walk.route(method, path)
        walk.required_query = {}
        for method, path in sorted(set(served_routes(app)) - set(api_routes(app))):
            await walk.send("page", method, path, headers={}, params={"q": "\x00"})
        by_path = sorted(served_routes(app), key=lambda pair: pair[1])
        for path, group in itertools.groupby(by_path, key=lambda pair: pair[1]):
            await _unserved_method(walk, path, {method for method, _ in group})
    assert walk.server_errors == []
    assert walk.not_problem_json == []
    assert walk.valid_refused == []
    assert ledger.reached == set(api_routes(app)), "routes no request of the walk reached"
