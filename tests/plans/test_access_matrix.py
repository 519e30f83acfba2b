"""Who may call what in the plans service, cell by cell over HTTP (matrix row D2).

POLICY is the plans rows of the "Plans and scheduling" table of docs/access.md as data: for
each route and each kind of caller, the status of a well-formed request (EXAMPLES gives a
body and If-Match where a route takes them) on a record the caller may see: a plan-scoped
path gets a signed plan with a home log, a red flag and a progress report, a patient's own
for a patient. Another patient's records answer 404: tests/plans/ checks that per route. A
route missing from POLICY, a stale row, or a difference between POLICY and the table fails
the suite. Scheduling's rows: tests/scheduling/test_access_matrix.py.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from services.plans.models import Exercise, PlanOfCare, PlanRevision, ProgressReport, RedFlag
from tests.access_table import (
    CALLERS,
    PUBLIC_PATHS,
    assert_documented,
    assert_every_route_has_a_policy,
)
from tests.factories import bearer, make_account, make_patient, token_for
from tests.plans.factories import make_plan, make_session
from tests.plans.home_setup import a_log, clinic_today
from tests.plans.plan_requests import neuroma_body

USERS_READ = dict(zip(CALLERS, (401, 200, 200, 200, 200, 403), strict=True))
PATIENT_ONLY = dict(zip(CALLERS, (401, 200, 403, 403, 403, 403), strict=True))
PUBLIC = dict.fromkeys(CALLERS, 200)
PLAN_READ = dict(zip(CALLERS, (401, 200, 403, 200, 200, 403), strict=True))
PATIENT_WRITES = dict(zip(CALLERS, (401, 200, 403, 403, 403, 403), strict=True))
THERAPISTS = dict(zip(CALLERS, (401, 403, 403, 200, 200, 403), strict=True))
SESSION = "/v1/plans/{plan_id}/sessions/{session_id}"
FLAG = "/v1/plans/{plan_id}/red-flags/{flag_id}/acknowledge"


def _staff_write(status: int, *, therapist: bool) -> dict[str, int]:
    """A write for admins (and therapists when therapist): the others 403, no token 401."""
    return dict(
        zip(CALLERS, (401, 403, 403, status if therapist else 403, status, 403), strict=True)
    )


CLINICIANS_READ = dict(zip(CALLERS, (401, 403, 403, 200, 200, 403), strict=True))
CLINICIANS_WRITE = dict(zip(CALLERS, (401, 403, 403, 201, 201, 403), strict=True))
SERVICES_ONLY = dict(zip(CALLERS, (401, 403, 403, 403, 403, 200), strict=True))

# Plans of care: therapists and admins change them; the front desk reads the scheduling facts;
# a patient gets 403 here for their own plan (they read it at /v1/me/plans), and another
# patient's plan answers 404 (tests/plans/test_plan_read.py and test_plan_revisions.py).
CLINICIANS_ONLY = dict(zip(CALLERS, (401, 403, 403, 200, 200, 403), strict=True))
STAFF_READ = dict(zip(CALLERS, (401, 403, 200, 200, 200, 403), strict=True))
PLAN = "/v1/plans/{plan_id}"
# The status the row's plan starts in, and the body a well-formed request sends.
PLAN_REQUESTS: dict[tuple[str, str], tuple[str, dict | None]] = {
    ("GET", PLAN): ("active", None),
    ("PATCH", PLAN): ("active", {"frequency_per_week": 3}),
    ("POST", f"{PLAN}/activate"): ("draft", None),
    ("POST", f"{PLAN}/hold"): ("active", {"reason": "Travelling"}),
    ("POST", f"{PLAN}/resume"): ("on_hold", None),
    ("POST", f"{PLAN}/complete"): ("active", None),
    ("POST", f"{PLAN}/discontinue"): ("active", {"reason": "Moved away"}),
    ("POST", f"{PLAN}/recertify"): ("active", {}),
    ("GET", f"{PLAN}/revisions"): ("active", None),
    ("GET", f"{PLAN}/revisions/{{number}}"): ("active", None),
}

# (app, method, path) -> caller -> status; path parameters as the app names them.
POLICY: dict[tuple[str, str, str], dict[str, int]] = {
    ("plans", "GET", "/v1/exercises"): USERS_READ,
    ("plans", "GET", "/v1/exercises/{slug}"): USERS_READ,
    ("plans", "POST", "/v1/exercises"): _staff_write(201, therapist=True),
    ("plans", "PATCH", "/v1/exercises/{slug}"): _staff_write(200, therapist=True),
    ("plans", "POST", "/v1/exercises/{slug}/retire"): _staff_write(200, therapist=True),
    ("plans", "DELETE", "/v1/exercises/{slug}"): _staff_write(204, therapist=True),
    ("plans", "GET", "/v1/protocols"): USERS_READ,
    ("plans", "GET", "/v1/protocols/{slug}"): USERS_READ,
    ("plans", "POST", "/v1/protocols"): _staff_write(201, therapist=False),
    ("plans", "PATCH", "/v1/protocols/{slug}"): _staff_write(200, therapist=False),
    ("plans", "GET", "/v1/audit"): dict(zip(CALLERS, (401, 403, 403, 403, 200, 403), strict=True)),
    ("plans", "GET", "/v1/me/plans"): PATIENT_ONLY,
    ("plans", "GET", "/v1/me/plans/{plan_id}"): PATIENT_ONLY,
    ("plans", "POST", "/v1/plans/{plan_id}/sessions"): PATIENT_WRITES | {"patient": 201},
    ("plans", "GET", "/v1/plans/{plan_id}/sessions"): PLAN_READ,
    ("plans", "GET", SESSION): PLAN_READ,
    ("plans", "PATCH", SESSION): PATIENT_WRITES,
    ("plans", "GET", "/v1/plans/{plan_id}/adherence"): PLAN_READ,
    ("plans", "GET", "/v1/plans/{plan_id}/red-flags"): THERAPISTS,
    ("plans", "POST", FLAG): THERAPISTS,
    ("plans", "GET", "/v1/plans/{plan_id}/handout"): PLAN_READ,
    # As the JSON reads: the front desk the CarePlan alone, a patient their own (test_plan_fhir.py).
    ("plans", "GET", "/v1/plans/{plan_id}/fhir"): USERS_READ,
    ("plans", "GET", "/v1/plans"): CLINICIANS_READ,
    ("plans", "POST", "/v1/plans/{plan_id}/progress-reports"): CLINICIANS_WRITE,
    ("plans", "GET", "/v1/plans/{plan_id}/progress-reports"): CLINICIANS_READ,
    ("plans", "GET", "/v1/plans/{plan_id}/progress-reports/{report_id}"): CLINICIANS_READ,
    ("plans", "POST", "/v1/visit-outcomes"): SERVICES_ONLY,
    **{("plans", "GET", path): PUBLIC for path in PUBLIC_PATHS},
    ("plans", "POST", "/v1/plans"): {**CLINICIANS_ONLY, "therapist": 201, "admin": 201},
    **{("plans", *key): CLINICIANS_ONLY for key in PLAN_REQUESTS},
    ("plans", "GET", PLAN): STAFF_READ,
}
# A seeded row behind each route that names one.
SEEDED_SLUG = {
    "/v1/exercises/{slug}": "toe-spreads",
    "/v1/exercises/{slug}/retire": "toe-spreads",
    "/v1/protocols/{slug}": "mortons-neuroma",
}
UNUSED_EXERCISE = "matrix-unused-exercise"


async def _add_unused_exercise(db: AsyncSession) -> None:
    db.add(
        Exercise(
            slug=UNUSED_EXERCISE,
            name="Unused",
            purpose="p",
            instructions="i",
            body_region="foot",
        )
    )
    await db.commit()


@dataclass(frozen=True)
class Example:
    """A well-formed request to a route that takes more than its path: the body, headers
    and the record it names (instead of SEEDED_SLUG), and rows to lay down first."""

    # The body, or how to make it from the plan the request is about.
    body: dict[str, Any] | Callable[[PlanOfCare], dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    slug: str | None = None
    prepare: Callable[[AsyncSession], Awaitable[None]] | None = None
    needs_plan: bool = False  # a plan named in the body, not the path
    plan_status: str = "active"  # the status the request's plan starts in


ANY_VERSION = {"If-Match": "*"}
EXAMPLES = {
    **{
        ("plans", method, path): Example(
            body=body, plan_status=status, headers=ANY_VERSION if method == "PATCH" else {}
        )
        for (method, path), (status, body) in PLAN_REQUESTS.items()
    },
    ("plans", "POST", "/v1/exercises"): Example(
        body={
            "slug": "matrix-heel-raises",
            "name": "Heel raises",
            "purpose": "Calf strength.",
            "instructions": "Rise onto the toes and lower slowly.",
            "body_region": "ankle",
        }
    ),
    ("plans", "PATCH", "/v1/exercises/{slug}"): Example(
        body={"cues": ["Keep the heel down."]}, headers=ANY_VERSION
    ),
    ("plans", "DELETE", "/v1/exercises/{slug}"): Example(
        slug=UNUSED_EXERCISE, prepare=_add_unused_exercise
    ),
    ("plans", "POST", "/v1/protocols"): Example(
        body={
            "slug": "matrix-protocol",
            "name": "Matrix",
            "condition": "Plantar fasciitis",
            "icd10_codes": ["M72.2"],
            "exercises": [{"slug": "gastroc-soleus-stretch"}],
        }
    ),
    ("plans", "PATCH", "/v1/protocols/{slug}"): Example(
        body={"default_duration_weeks": 8}, headers=ANY_VERSION
    ),
    ("plans", "POST", "/v1/plans/{plan_id}/sessions"): Example(
        body=a_log(clinic_today() - timedelta(days=1))
    ),
    ("plans", "PATCH", SESSION): Example(body={"pain": 3}, headers=ANY_VERSION),
    ("plans", "POST", FLAG): Example(body={"note": "Called the patient; seeing her on Monday."}),
    ("plans", "POST", "/v1/plans/{plan_id}/progress-reports"): Example(
        body=lambda plan: {
            "goal_statuses": [{"goal_id": plan.goals[0]["id"], "status": "in_progress"}]
        }
    ),
    ("plans", "POST", "/v1/visit-outcomes"): Example(
        body=lambda plan: {
            "event_id": str(uuid.uuid4()),
            "plan_id": str(plan.id),
            "appointment_id": str(uuid.uuid4()),
            "outcome": "completed",
            "occurred_at": datetime.now(UTC).isoformat(),
            "visit_date": datetime.now(UTC).date().isoformat(),
        },
        needs_plan=True,
    ),
}


def _params() -> list[object]:
    return [
        pytest.param(app, method, path, caller, status, id=f"{app} {method} {path} as {caller}")
        for (app, method, path), row in POLICY.items()
        for caller, status in row.items()
    ]


async def _caller(db, apps, caller: str) -> tuple[dict[str, str], uuid.UUID | None]:
    """The caller's headers, and their patient id if a patient."""
    if caller == "anonymous":
        return {}, None
    if caller == "service":
        signer = apps["patients"].state.signer
        return bearer(
            signer.service_token(service="scheduling", lifetime=timedelta(minutes=5))
        ), None
    account = await make_account(db, role=caller)
    return bearer(token_for(apps, account)), account.patient_id


async def _records(
    db, patient_id: uuid.UUID | None, status: str
) -> tuple[PlanOfCare, dict[str, str]]:
    """Real records behind a path's ids: a plan the caller may see (their own, for a
    patient), with its first revision, today's home log, a red flag and a progress report."""
    plan = await make_plan(db, patient_id=patient_id or (await make_patient(db)).id, status=status)
    logged = await make_session(db, plan=plan, performed_on=clinic_today())
    flag = RedFlag(plan_id=plan.id, session_id=logged.id, reason="pain_high", detail="8")
    report = ProgressReport(plan_id=plan.id, number=1, created_by=plan.therapist_id)
    db.add_all([flag, report])
    if status != "draft":  # make_plan signs a plan without writing its revision
        db.add(
            PlanRevision(
                plan_id=plan.id,
                number=1,
                kind="signed",
                plan_version=1,
                changed_by=plan.therapist_id,
            )
        )
    plan.progress_reports = 1
    db.add(plan)
    await db.commit()
    ids = {"plan_id": plan.id, "session_id": logged.id, "flag_id": flag.id, "report_id": report.id}
    return plan, {name: str(value) for name, value in ids.items()} | {"number": "1"}


async def _new_plan_body(db, caller: str, patient_id: uuid.UUID | None) -> dict[str, Any]:
    """POST /v1/plans: a neuroma plan for the caller's patient (or a fresh one); an admin
    names the therapist."""
    patient = patient_id or (await make_patient(db)).id
    therapist = await make_account(db, role="therapist")
    return neuroma_body(
        patient, **({"therapist_id": str(therapist.id)} if caller == "admin" else {})
    )


@pytest.mark.parametrize(("app", "method", "path", "caller", "expected"), _params())
async def test_access(apis, db, apps, app, method, path, caller, expected):
    example = EXAMPLES.get((app, method, path), Example())
    if example.prepare:
        await example.prepare(db)
    headers, patient_id = await _caller(db, apps, caller)
    values = {"slug": example.slug or SEEDED_SLUG.get(path, "")}
    body = example.body
    if "{plan_id}" in path or example.needs_plan:
        plan, ids = await _records(db, patient_id, example.plan_status)
        values |= ids
        body = body(plan) if callable(body) else body
    if (method, path) == ("POST", "/v1/plans"):
        body = await _new_plan_body(db, caller, patient_id)

    response = await apis[app].request(
        method, path.format(**values), headers=headers | example.headers, json=body
    )

    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_every_route_of_the_app_has_a_policy(apps):
    assert_every_route_has_a_policy("plans", apps["plans"], POLICY)


def test_the_documented_table_is_this_policy():
    assert_documented("plans", POLICY)
