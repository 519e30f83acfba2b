"""Who may call what in plans and scheduling, cell by cell over HTTP (matrix row D2).

POLICY is the "Plans and scheduling" table of docs/access.md as data: for each route of
either app and each kind of caller, the status. Both apps live here, not one per folder,
because they share one table and one rule (every user reads, a service token is refused).
A route of either app missing from POLICY, a stale row, or a difference between POLICY and
the table fails the suite. The patients service has its own matrix in tests/patients/.
"""

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.plans.models import PlanOfCare, ProgressReport
from tests.app_routes import served_routes
from tests.factories import bearer, make_account, make_patient, token_for
from tests.plans.factories import make_plan

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
CALLERS = ("anonymous", "patient", "front_desk", "therapist", "admin", "service")
USERS_READ = dict(zip(CALLERS, (401, 200, 200, 200, 200, 403), strict=True))
PUBLIC = dict.fromkeys(CALLERS, 200)
PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
CLINICIANS_READ = dict(zip(CALLERS, (401, 403, 403, 200, 200, 403), strict=True))
CLINICIANS_WRITE = dict(zip(CALLERS, (401, 403, 403, 201, 201, 403), strict=True))
SERVICES_ONLY = dict(zip(CALLERS, (401, 403, 403, 403, 403, 200), strict=True))

# (app, method, path) -> caller -> status; path parameters as the app names them.
POLICY: dict[tuple[str, str, str], dict[str, int]] = {
    ("plans", "GET", "/v1/exercises"): USERS_READ,
    ("plans", "GET", "/v1/exercises/{slug}"): USERS_READ,
    ("plans", "GET", "/v1/audit"): dict(zip(CALLERS, (401, 403, 403, 403, 200, 403), strict=True)),
    ("plans", "GET", "/v1/plans"): CLINICIANS_READ,
    ("plans", "POST", "/v1/plans/{plan_id}/progress-reports"): CLINICIANS_WRITE,
    ("plans", "GET", "/v1/plans/{plan_id}/progress-reports"): CLINICIANS_READ,
    ("plans", "GET", "/v1/plans/{plan_id}/progress-reports/{report_id}"): CLINICIANS_READ,
    ("plans", "POST", "/v1/visit-outcomes"): SERVICES_ONLY,
    ("scheduling", "GET", "/v1/locations"): USERS_READ,
    ("scheduling", "GET", "/v1/locations/{slug}"): USERS_READ,
    ("scheduling", "GET", "/v1/appointment-types"): USERS_READ,
    **{(app, "GET", path): PUBLIC for app in ("plans", "scheduling") for path in PUBLIC_PATHS},
}
# A seeded row behind each route that names one.
SEEDED_SLUG = {"/v1/exercises/{slug}": "toe-spreads", "/v1/locations/{slug}": "gaithersburg"}
# A valid body for each write, given the plan the request is about.
BODIES: dict[tuple[str, str], Callable[[PlanOfCare], dict[str, Any]]] = {
    ("POST", "/v1/plans/{plan_id}/progress-reports"): lambda plan: {
        "goal_statuses": [{"goal_id": plan.goals[0]["id"], "status": "in_progress"}]
    },
    ("POST", "/v1/visit-outcomes"): lambda plan: {
        "event_id": str(uuid.uuid4()),
        "plan_id": str(plan.id),
        "appointment_id": str(uuid.uuid4()),
        "outcome": "completed",
        "occurred_at": datetime.now(UTC).isoformat(),
        "visit_date": datetime.now(UTC).date().isoformat(),
    },
}


def _params() -> list[object]:
    return [
        pytest.param(app, method, path, caller, status, id=f"{app} {method} {path} as {caller}")
        for (app, method, path), row in POLICY.items()
        for caller, status in row.items()
    ]


async def _caller(db, apps, caller: str) -> tuple[dict[str, str], uuid.UUID | None]:
    """The caller's headers, and a patient's own patient id."""
    if caller == "anonymous":
        return {}, None
    if caller == "service":
        signer = apps["patients"].state.signer
        return bearer(signer.service_token(service="plans", lifetime=timedelta(minutes=5))), None
    account = await make_account(db, role=caller)
    return bearer(token_for(apps, account)), account.patient_id


async def _plan_with_a_report(db, patient_id: uuid.UUID | None) -> tuple[PlanOfCare, uuid.UUID]:
    """An active plan (a patient's own, for a patient) with one progress report."""
    patient = patient_id or (await make_patient(db)).id
    plan = await make_plan(db, patient_id=patient, progress_reports=1)
    report = ProgressReport(plan_id=plan.id, number=1, created_by=plan.therapist_id)
    db.add(report)
    await db.commit()
    return plan, report.id


@pytest.mark.parametrize(("app", "method", "path", "caller", "expected"), _params())
async def test_access(apis, db, apps, app, method, path, caller, expected):
    headers, own_patient = await _caller(db, apps, caller)
    url, body = path.replace("{slug}", SEEDED_SLUG.get(path, "")), None
    if "{plan_id}" in path or (method, path) in BODIES:
        plan, report_id = await _plan_with_a_report(db, own_patient)
        url = url.replace("{plan_id}", str(plan.id)).replace("{report_id}", str(report_id))
        body = BODIES[(method, path)](plan) if (method, path) in BODIES else None

    response = await apis[app].request(method, url, json=body, headers=headers)

    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_every_route_of_both_apps_has_a_policy(apps):
    served = {
        (app, method, path)
        for app in ("plans", "scheduling")
        for method, path in served_routes(apps[app])
    }
    assert served - POLICY.keys() == set(), "routes without an access policy"
    assert POLICY.keys() - served == set(), "policy rows for routes the apps do not have"


def _documented_policy() -> dict[tuple[str, str, str], dict[str, int]]:
    """The rows `| app | METHOD | `/path` | status | ... |` under "## Plans and scheduling"."""
    text = DOC.read_text(encoding="utf-8").split("\n## Plans and scheduling\n", 1)[1]
    section = text.split("\n## ", 1)[0]
    header = next(line for line in section.splitlines() if line.startswith("| app |"))
    assert tuple(c.strip() for c in header.strip("| ").split("|"))[3:] == CALLERS
    table = {}
    for line in section.splitlines():
        found = re.match(r"^\| ([a-z]+) \| ([A-Z]+) \| `(\S+)` \|(.*)\|$", line)
        if found:
            app, method, path, rest = found.groups()
            statuses = [int(cell) for cell in rest.split("|")]
            table[(app, method, path)] = dict(zip(CALLERS, statuses, strict=True))
    return table


def test_the_documented_table_is_this_policy():
    """The API rows are in the table; the public pages are one sentence under it."""
    documented = _documented_policy()
    assert documented == {key: row for key, row in POLICY.items() if key[2] not in PUBLIC_PATHS}
    text = DOC.read_text(encoding="utf-8").split("\n## Plans and scheduling\n", 1)[1]
    section = " ".join(text.split("\n## ", 1)[0].split())
    assert all(f"`{path}`" in section for path in PUBLIC_PATHS)
