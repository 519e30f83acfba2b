"""Issue 7's "Done when", end to end over HTTP, with patients, plans and scheduling answering
for real in-process (plans asks patients whether the patient is active and scheduling whether
the clinic exists).

Nothing is written straight to the database but the first admin: the admin creates the staff
accounts, the front desk registers the patients and gives them logins, and everyone signs in
at `/v1/auth/token` as a person would. The therapist takes a Morton's neuroma plan from the
protocol to a progress report; the patient follows the home program and a pain of 8 reaches
the therapist's queue; the front desk reads a plan's scheduling facts and nothing clinical;
another patient and user tokens are kept out.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import bearer, make_account, token_for
from tests.plans.home_setup import clinic_today
from tests.plans.plan_requests import SCHEDULING_FACTS

PASSWORD = "forefoot-nerve-glide-37"
STAFF_NOTE = "Staff only: third web space, left foot; consider injection if no change."
EXERCISE_STAFF_NOTE = "Staff only: she rushes the hold."
PATIENT_NOTE = "Go gently the first week."
EXERCISE_NAMES = (
    "Toe spreads",
    "Toe press-downs",
    "Calf stretch (gastrocnemius and soleus)",
    "Single-leg balance",
)
HOME = ["toe-spreads", "gastroc-soleus-stretch", "single-leg-balance"]
CLINIC = ["toe-press-downs"]
FIRST_DOSAGE = "1 set of 10-15, hold 3-5 s, each foot, once a day, 5 days a week"
REVISED_DOSAGE = "2 sets of 10, hold 5 s, each foot, once a day, 5 days a week"
CLINICAL_KEYS = {"goals", "exercises", "program", "notes", "patient_note", "staff_note"}
CLINICAL_KEYS |= {"education", "sessions", "diagnoses", "red_flag_criteria", "home_equipment"}


# -- the people, made over HTTP ---------------------------------------------------------------


@dataclass
class Clinic:
    """The three services' clients and the staff's authorization headers."""

    apis: dict[str, httpx.AsyncClient]
    therapist_id: str
    therapist: dict[str, str]
    front_desk: dict[str, str]

    @property
    def patients(self) -> httpx.AsyncClient:
        return self.apis["patients"]

    @property
    def plans(self) -> httpx.AsyncClient:
        return self.apis["plans"]


async def sign_in(patients: httpx.AsyncClient, email: str) -> dict[str, str]:
    form = {"username": email, "password": PASSWORD}
    answer = await patients.post("/v1/auth/token", data=form)
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


async def staff_member(
    patients: httpx.AsyncClient, admin: dict[str, str], role: str, name: str
) -> tuple[str, dict[str, str]]:
    """A staff account the admin creates, signed in: (its id, its headers)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@clinic.example"
    body = {"email": email, "display_name": name, "role": role, "password": PASSWORD}
    created = await patients.post("/v1/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["role"] == role
    return created.json()["id"], await sign_in(patients, email)


@pytest.fixture
async def clinic(apis, db, apps) -> Clinic:
    admin = bearer(token_for(apps, await make_account(db, role="admin")))
    patients = apis["patients"]
    therapist_id, therapist = await staff_member(patients, admin, "therapist", "Dana Okafor, PT")
    _, front_desk = await staff_member(patients, admin, "front_desk", "Sam Reyes")
    return Clinic(apis, therapist_id, therapist, front_desk)


async def patient_with_login(clinic: Clinic, given_name: str) -> tuple[str, dict[str, str]]:
    """A patient the front desk registers and gives a login, signed in: (id, headers)."""
    record = {
        "given_name": given_name,
        "family_name": f"Journey-{uuid.uuid4().hex[:6]}",
        "birth_date": "1978-04-12",
        "sex": "female",
        "home_location": "gaithersburg",
        "phone": "301-555-0123",
        "diagnoses": [{"code": "G57.62"}],
    }
    registered = await clinic.patients.post("/v1/patients", json=record, headers=clinic.front_desk)
    assert registered.status_code == 201, registered.text
    patient_id = registered.json()["id"]
    email = f"{given_name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    login = {"email": email, "password": PASSWORD}
    account = await clinic.patients.post(
        f"/v1/patients/{patient_id}/account", json=login, headers=clinic.front_desk
    )
    assert account.status_code == 201, account.text
    assert (account.json()["role"], account.json()["patient_id"]) == ("patient", patient_id)
    return patient_id, await sign_in(clinic.patients, email)


# -- the plan ---------------------------------------------------------------------------------


def neuroma_plan(patient_id: str, start: date) -> dict[str, Any]:
    """The neuroma protocol at Gaithersburg, 2 a week for 6 weeks; a wall at home (for the
    calf stretch), no cable machine."""
    return {
        "patient_id": patient_id,
        "protocol": "mortons-neuroma",
        "location": "gaithersburg",
        "frequency_per_week": 2,
        "duration_weeks": 6,
        "start_date": start.isoformat(),
        "diagnoses": [{"code": "G57.62"}],
        "goals": [
            {
                "text": "Home program 5 days a week with forefoot pain at most 3/10",
                "term": "short",
                "target_date": (start + timedelta(weeks=3)).isoformat(),
            },
            {
                "text": "Walks 30 minutes in everyday shoes with forefoot pain at most 2/10",
                "term": "long",
                "target_date": (start + timedelta(weeks=6)).isoformat(),
            },
        ],
        "home_equipment": ["wall"],
        "patient_note": PATIENT_NOTE,
        "staff_note": STAFF_NOTE,
    }


def if_match(plan: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{plan["version"]}"'}


def parts(plan: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"home": [], "clinic": []}
    for item in plan["exercises"]:
        found[item["part"]].append(item["slug"])
    return found


def dosage_of(plan: dict[str, Any], slug: str) -> str:
    [item] = [i for i in plan["exercises"] if i["slug"] == slug]
    return item["dosage_in_words"]


async def signed_plan(clinic: Clinic, patient_id: str, start: date) -> dict[str, Any]:
    """A neuroma plan the therapist creates and signs (revision 1)."""
    created = await clinic.plans.post(
        "/v1/plans", json=neuroma_plan(patient_id, start), headers=clinic.therapist
    )
    assert created.status_code == 201, created.text
    draft = created.json()
    signed = await clinic.plans.post(
        f"/v1/plans/{draft['id']}/activate", headers=clinic.therapist | if_match(draft)
    )
    assert signed.status_code == 200, signed.text
    return signed.json()


def visit_outcome(plan_id: str, day: date) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "plan_id": plan_id,
        "appointment_id": str(uuid.uuid4()),
        "outcome": "completed",
        "occurred_at": datetime.now(UTC).isoformat(),
        "visit_date": day.isoformat(),
    }


def scheduling_service(apps) -> dict[str, str]:
    """The token scheduling reports visit outcomes with (client credentials, role service)."""
    signer = apps["patients"].state.signer
    return bearer(signer.service_token(service="scheduling", lifetime=timedelta(minutes=5)))


async def queue(clinic: Clinic, **filters: str) -> list[str]:
    mine = {"therapist_id": clinic.therapist_id} | filters
    answer = await clinic.plans.get("/v1/plans", params=mine, headers=clinic.therapist)
    assert answer.status_code == 200, answer.text
    return [plan["id"] for plan in answer.json()["items"]]


# -- 1. the therapist: protocol, signed plan, revision, recertification, progress report -----


async def test_a_therapist_runs_a_plan_from_protocol_to_progress_report(clinic, apps):
    patient_id, _ = await patient_with_login(clinic, "Maria")
    plans, therapist = clinic.plans, clinic.therapist
    start = clinic_today() - timedelta(days=14)

    protocol = await plans.get("/v1/protocols/mortons-neuroma", headers=therapist)
    assert protocol.status_code == 200, protocol.text
    assert protocol.json()["icd10_codes"] == ["G57.60", "G57.61", "G57.62", "G57.63"]
    assert [e["slug"] for e in protocol.json()["exercises"]] == [
        "toe-spreads",
        "toe-press-downs",
        "gastroc-soleus-stretch",
        "single-leg-balance",
    ]

    created = await plans.post("/v1/plans", json=neuroma_plan(patient_id, start), headers=therapist)
    assert created.status_code == 201, created.text
    draft = created.json()
    assert created.headers["Location"] == f"/v1/plans/{draft['id']}"
    assert (draft["status"], draft["revision"], draft["protocol"]) == (
        "draft",
        0,
        "mortons-neuroma",
    )
    assert (draft["patient_id"], draft["therapist_id"]) == (patient_id, clinic.therapist_id)
    assert (draft["location"], draft["time_zone"]) == ("gaithersburg", "America/New_York")
    assert (draft["frequency_per_week"], draft["duration_weeks"], draft["planned_visits"]) == (
        2,
        6,
        12,
    )
    assert [d["code"] for d in draft["diagnoses"]] == ["G57.62"]
    assert [g["term"] for g in draft["goals"]] == ["short", "long"]
    assert draft["certification_start"] == start.isoformat()
    assert draft["certification_end"] == (start + timedelta(weeks=6)).isoformat()
    assert parts(draft) == {"home": HOME, "clinic": CLINIC}  # no cable machine at home
    assert dosage_of(draft, "toe-spreads") == FIRST_DOSAGE
    assert [e["slug"] for e in draft["education"]] == [
        "wide-toe-box-shoes",
        "neuroma-pad",
        "ankle-mobility",
        "arch-stability",
    ]
    plan_url = f"/v1/plans/{draft['id']}"

    signed = await plans.post(f"{plan_url}/activate", headers=therapist | if_match(draft))
    assert signed.status_code == 200, signed.text
    plan = signed.json()
    assert (plan["status"], plan["revision"], plan["signed_by"]) == (
        "active",
        1,
        clinic.therapist_id,
    )
    assert signed.headers["ETag"] == f'"{plan["version"]}"'

    # A dosage change to the signed plan: a new revision, the first one kept as it was.
    exercises = [{"slug": slug} for slug in ("toe-spreads", *CLINIC, *HOME[1:])]
    exercises[0] |= {
        "sets": 2,
        "reps": 10,
        "hold_seconds": 5,
        "times_per_day": 1,
        "days_per_week": 5,
        "side": "each",
        "staff_note": EXERCISE_STAFF_NOTE,
    }
    stale = if_match(plan)
    revised = await plans.patch(
        plan_url, json={"exercises": exercises}, headers=therapist | if_match(plan)
    )
    assert revised.status_code == 200, revised.text
    plan = revised.json()
    assert (plan["status"], plan["revision"]) == ("active", 2)
    assert dosage_of(plan, "toe-spreads") == REVISED_DOSAGE
    assert parts(plan) == {"home": HOME, "clinic": CLINIC}
    again = await plans.patch(plan_url, json={"exercises": exercises}, headers=therapist | stale)
    assert again.status_code == 412, again.text

    listed = await plans.get(f"{plan_url}/revisions", headers=therapist)
    assert listed.status_code == 200, listed.text
    assert [(r["number"], r["kind"]) for r in listed.json()["items"]] == [
        (1, "signed"),
        (2, "revised"),
    ]
    assert listed.json()["items"][1]["changed_fields"] == ["exercises"]
    first = await plans.get(f"{plan_url}/revisions/1", headers=therapist)
    assert first.status_code == 200, first.text
    assert dosage_of(first.json()["content"], "toe-spreads") == FIRST_DOSAGE
    second = await plans.get(f"{plan_url}/revisions/2", headers=therapist)
    assert dosage_of(second.json()["content"], "toe-spreads") == REVISED_DOSAGE

    # Recertification: the next period, from the day after this one ends, signed anew.
    old_end = date.fromisoformat(plan["certification_end"])
    recertified = await plans.post(f"{plan_url}/recertify", headers=therapist | if_match(plan))
    assert recertified.status_code == 200, recertified.text
    plan = recertified.json()
    new_start = old_end + timedelta(days=1)
    assert (plan["certification_start"], plan["certification_end"], plan["revision"]) == (
        new_start.isoformat(),
        (new_start + timedelta(weeks=6)).isoformat(),
        3,
    )
    listed = await plans.get(f"{plan_url}/revisions", headers=therapist)
    assert [(r["number"], r["kind"]) for r in listed.json()["items"]][-1] == (3, "recertified")

    # Ten visits completed (scheduling reports them): the plan is due a progress report.
    service = scheduling_service(apps)
    for visit in range(10):
        assert await queue(clinic, due="progress-report") == []
        day = start + timedelta(days=visit)
        reported = await plans.post(
            "/v1/visit-outcomes", json=visit_outcome(plan["id"], day), headers=service
        )
        assert reported.status_code == 200, reported.text
        assert reported.json()["outcome"] == "completed"
    assert await queue(clinic, due="progress-report") == [plan["id"]]

    goals = [{"goal_id": g["id"], "status": "in_progress"} for g in plan["goals"]]
    report = {"goal_statuses": goals, "note": "Pain down to 3/10 on most days."}
    recorded = await plans.post(f"{plan_url}/progress-reports", json=report, headers=therapist)
    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["number"], recorded.json()["visits_covered"]) == (1, 10)
    assert recorded.json()["completed_visits"] == 10
    assert await queue(clinic, due="progress-report") == []

    now = await plans.get(plan_url, headers=therapist)
    assert now.status_code == 200, now.text
    assert now.json()["view"] == "clinical"
    assert (now.json()["completed_visits"], now.json()["visits_since_progress_report"]) == (10, 0)
    assert now.json()["progress_reports"] == 1
    assert {g["status"] for g in now.json()["goals"]} == {"in_progress"}
    assert now.json()["revision"] == 4  # the progress report is revision 4


# -- 2. the patient: the plan in plain words, home logs, a red flag, adherence, handout ------


async def test_a_patient_follows_the_home_program_and_a_pain_of_8_reaches_the_therapist(
    clinic,
):
    patient_id, patient = await patient_with_login(clinic, "Maria")
    today = clinic_today()
    plan = await signed_plan(clinic, patient_id, today - timedelta(days=7))
    plans, therapist = clinic.plans, clinic.therapist
    sessions_url = f"/v1/plans/{plan['id']}/sessions"

    mine = await plans.get("/v1/me/plans", headers=patient)
    assert mine.status_code == 200, mine.text
    [read] = mine.json()["items"]
    assert (read["id"], read["status"], read["location"]) == (plan["id"], "active", "gaithersburg")
    assert (read["therapist_name"], read["diagnoses"]) == ("Dana Okafor, PT", ["G57.62"])
    assert [e["slug"] for e in read["home"]] == HOME
    assert [e["slug"] for e in read["clinic"]] == CLINIC
    assert read["home"][0]["dosage_text"] == FIRST_DOSAGE
    assert all(e["dosage_text"] for e in read["home"] + read["clinic"])
    assert read["patient_note"] == PATIENT_NOTE
    assert "call the clinic" in read["when_to_call"].lower()
    assert STAFF_NOTE not in mine.text and "staff_note" not in mine.text
    one = await plans.get(f"/v1/me/plans/{plan['id']}", headers=patient)
    assert one.status_code == 200, one.text
    assert one.json() == read and STAFF_NOTE not in one.text

    logs = [(3, 3), (2, 3), (1, 8)]  # (days ago, pain): steady, then a jump, never rising thrice
    logged = []
    for days_ago, pain in logs:
        body = {
            "performed_on": (today - timedelta(days=days_ago)).isoformat(),
            "exercises": [{"slug": "toe-spreads", "sets": 1, "reps": 12}, *HOME[1:]],
            "pain": pain,
            "numbness": False,
        }
        answer = await plans.post(sessions_url, json=body, headers=patient)
        assert answer.status_code == 201, answer.text
        logged.append(answer.json())
    assert [entry["red_flags"] for entry in logged] == [[], [], ["pain_high"]]
    assert logged[0]["advice"] is None
    assert "call the clinic" in logged[2]["advice"].lower()
    again = await plans.post(
        sessions_url,
        json={"performed_on": logged[0]["performed_on"], "exercises": HOME, "pain": 2},
        headers=patient,
    )
    assert again.status_code == 409, again.text

    assert await queue(clinic, flagged="true") == [plan["id"]]
    flags = await plans.get(f"/v1/plans/{plan['id']}/red-flags", headers=therapist)
    assert flags.status_code == 200, flags.text
    [flag] = flags.json()["items"]
    assert (flag["reason"], flag["session_id"], flag["acknowledged_at"]) == (
        "pain_high",
        logged[2]["id"],
        None,
    )
    assert "neurectomy" in " ".join(flag["medical_options"])
    acknowledged = await plans.post(
        f"/v1/plans/{plan['id']}/red-flags/{flag['id']}/acknowledge",
        json={"note": "Called her: pad moved, shoes changed; review at the next visit."},
        headers=therapist,
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["acknowledged_by"] == clinic.therapist_id
    assert await queue(clinic, flagged="true") == []
    still_open = await plans.get(
        f"/v1/plans/{plan['id']}/red-flags", params={"open": "true"}, headers=therapist
    )
    assert still_open.json()["items"] == []

    adherence = await plans.get(f"/v1/plans/{plan['id']}/adherence", headers=patient)
    assert adherence.status_code == 200, adherence.text
    assert adherence.json()["overall"]["sessions"] == 3
    assert [(p["date"], p["pain"]) for p in adherence.json()["pain"]["series"]] == [
        (entry["performed_on"], entry["pain"]) for entry in logged
    ]
    assert adherence.json()["pain"]["trend"] == "worsening"

    handout = await plans.get(f"/v1/plans/{plan['id']}/handout", headers=patient)
    assert handout.status_code == 200, handout.text
    assert handout.headers["content-type"].startswith("text/html")
    for name in EXERCISE_NAMES:
        assert name in handout.text
    assert STAFF_NOTE not in handout.text

    staff_reads = await plans.get(sessions_url, headers=therapist)
    assert staff_reads.status_code == 200, staff_reads.text
    assert [s["pain"] for s in staff_reads.json()["items"]] == [8, 3, 3]  # newest first


# -- 3. the front desk: the plan's scheduling facts, nothing clinical ------------------------


async def test_the_front_desk_reads_the_scheduling_facts_and_nothing_clinical(clinic):
    patient_id, patient = await patient_with_login(clinic, "Maria")
    today = clinic_today()
    plan = await signed_plan(clinic, patient_id, today - timedelta(days=7))
    plan_url = f"/v1/plans/{plan['id']}"
    body = {"performed_on": today.isoformat(), "exercises": HOME, "pain": 2}
    logged = await clinic.plans.post(f"{plan_url}/sessions", json=body, headers=patient)
    assert logged.status_code == 201, logged.text

    read = await clinic.plans.get(plan_url, headers=clinic.front_desk)
    assert read.status_code == 200, read.text
    facts = read.json()
    assert set(facts) == SCHEDULING_FACTS
    assert not set(facts) & CLINICAL_KEYS
    assert (facts["view"], facts["status"], facts["location"]) == (
        "scheduling",
        "active",
        "gaithersburg",
    )
    assert (facts["patient_id"], facts["therapist_id"]) == (patient_id, clinic.therapist_id)
    assert (facts["planned_visits"], facts["completed_visits"]) == (12, 0)
    assert facts["certification_end"] == plan["certification_end"]
    assert STAFF_NOTE not in read.text and "Toe spreads" not in read.text
    assert read.headers["ETag"] == f'"{plan["version"]}"'

    for path in ("/revisions", "/revisions/1", "/sessions", "/adherence", "/handout"):
        refused = await clinic.plans.get(plan_url + path, headers=clinic.front_desk)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    listed = await clinic.plans.get("/v1/plans", headers=clinic.front_desk)
    assert listed.status_code == 403, listed.text


# -- 4. another patient and user tokens are kept out ----------------------------------------


async def test_another_patient_and_user_tokens_are_kept_out(clinic, apps):
    patient_id, patient = await patient_with_login(clinic, "Maria")
    _, other = await patient_with_login(clinic, "Lena")
    today = clinic_today()
    plan = await signed_plan(clinic, patient_id, today - timedelta(days=7))
    plans = clinic.plans
    body = {"performed_on": today.isoformat(), "exercises": HOME, "pain": 2}
    logged = await plans.post(f"/v1/plans/{plan['id']}/sessions", json=body, headers=patient)
    assert logged.status_code == 201, logged.text
    session_id = logged.json()["id"]

    assert (await plans.get("/v1/me/plans", headers=other)).json()["items"] == []
    reads = (
        f"/v1/me/plans/{plan['id']}",
        f"/v1/plans/{plan['id']}/sessions",
        f"/v1/plans/{plan['id']}/sessions/{session_id}",
        f"/v1/plans/{plan['id']}/adherence",
        f"/v1/plans/{plan['id']}/handout",
    )
    for path in reads:
        hidden = await plans.get(path, headers=other)
        assert hidden.status_code == 404, (path, hidden.text)
        assert hidden.headers["content-type"] == "application/problem+json"
    day_before = (today - timedelta(days=1)).isoformat()
    posted = await plans.post(
        f"/v1/plans/{plan['id']}/sessions",
        json=body | {"performed_on": day_before},
        headers=other,
    )
    assert posted.status_code == 404, posted.text
    corrected = await plans.patch(
        f"/v1/plans/{plan['id']}/sessions/{session_id}",
        json={"pain": 9},
        headers=other | {"If-Match": f'"{logged.json()["version"]}"'},
    )
    assert corrected.status_code == 404, corrected.text
    # Revisions are for staff: the plan's own patient hears 403, another patient 404.
    for headers, status in ((patient, 403), (other, 404)):
        for path in ("/revisions", "/revisions/1"):
            revisions = await plans.get(f"/v1/plans/{plan['id']}{path}", headers=headers)
            assert revisions.status_code == status, (path, revisions.text)
    # Nothing of the other patient's tries changed the plan's log.
    own = await plans.get(f"/v1/plans/{plan['id']}/sessions", headers=patient)
    assert [(s["id"], s["pain"]) for s in own.json()["items"]] == [(session_id, 2)]

    outcome = visit_outcome(plan["id"], today)
    for headers in (clinic.therapist, clinic.front_desk, patient):
        refused = await plans.post("/v1/visit-outcomes", json=outcome, headers=headers)
        assert refused.status_code == 403, refused.text
    service = scheduling_service(apps)
    assert (await plans.get(f"/v1/plans/{plan['id']}", headers=service)).status_code == 403
    counted = await plans.post("/v1/visit-outcomes", json=outcome, headers=service)
    assert counted.status_code == 200, counted.text
    facts = await plans.get(f"/v1/plans/{plan['id']}", headers=clinic.front_desk)
    assert facts.json()["completed_visits"] == 1
