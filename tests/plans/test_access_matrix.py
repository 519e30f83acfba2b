"""Who may call what in plans and scheduling, cell by cell over HTTP (matrix row D2).

POLICY is the "Plans and scheduling" table of docs/access.md as data: for each route of
either app and each kind of caller, the status. Both apps live here, not one per folder,
because they share one table and one rule (every user reads, a service token is refused).
A route of either app missing from POLICY, a stale row, or a difference between POLICY and
the table fails the suite. The patients service has its own matrix in tests/patients/.
"""

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from services.plans.models import PlanRevision
from tests.app_routes import served_routes
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.plans.factories import make_plan
from tests.plans.plan_requests import neuroma_body

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
CALLERS = ("anonymous", "patient", "front_desk", "therapist", "admin", "service")
USERS_READ = dict(zip(CALLERS, (401, 200, 200, 200, 200, 403), strict=True))
PUBLIC = dict.fromkeys(CALLERS, 200)
PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")

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
    ("plans", "GET", "/v1/audit"): dict(zip(CALLERS, (401, 403, 403, 403, 200, 403), strict=True)),
    ("plans", "POST", "/v1/plans"): {**CLINICIANS_ONLY, "therapist": 201, "admin": 201},
    **{("plans", *key): CLINICIANS_ONLY for key in PLAN_REQUESTS},
    ("plans", "GET", PLAN): STAFF_READ,
    ("scheduling", "GET", "/v1/locations"): USERS_READ,
    ("scheduling", "GET", "/v1/locations/{slug}"): USERS_READ,
    ("scheduling", "GET", "/v1/appointment-types"): USERS_READ,
    **{(app, "GET", path): PUBLIC for app in ("plans", "scheduling") for path in PUBLIC_PATHS},
}
# A seeded row behind each route that names one.
SEEDED_SLUG = {"/v1/exercises/{slug}": "toe-spreads", "/v1/locations/{slug}": "gaithersburg"}


def _params() -> list[object]:
    return [
        pytest.param(app, method, path, caller, status, id=f"{app} {method} {path} as {caller}")
        for (app, method, path), row in POLICY.items()
        for caller, status in row.items()
    ]


async def _caller(db, apps, caller: str) -> tuple[dict[str, str], uuid.UUID]:
    """The caller's headers, and the patient whose records the request is about: a
    patient's own, else a fresh one."""
    if caller == "patient":
        account = await make_account(db, role="patient")
        return bearer(token_for(apps, account)), account.patient_id
    patient = (await make_patient(db)).id
    if caller == "anonymous":
        return {}, patient
    if caller == "service":
        signer = apps["patients"].state.signer
        return bearer(signer.service_token(service="plans", lifetime=timedelta(minutes=5))), patient
    return await headers_for(db, apps, caller), patient


async def _request(db, method: str, path: str, caller: str, patient_id) -> tuple[str, dict | None]:
    """The URL and body of a well-formed request to the row's route."""
    if (method, path) == ("POST", "/v1/plans"):
        therapist = await make_account(db, role="therapist")
        extra = {"therapist_id": str(therapist.id)} if caller == "admin" else {}
        return path, neuroma_body(patient_id, **extra)
    if (method, path) not in PLAN_REQUESTS:
        return path.replace("{slug}", SEEDED_SLUG.get(path, "")), None
    status, body = PLAN_REQUESTS[method, path]
    plan = await make_plan(db, patient_id=patient_id, status=status)
    if path.endswith("{number}"):  # make_plan signs a plan without writing its revision
        revision = PlanRevision(
            plan_id=plan.id, number=1, kind="signed", plan_version=1, changed_by=plan.therapist_id
        )
        db.add(revision)
        await db.commit()
    return path.replace("{plan_id}", str(plan.id)).replace("{number}", "1"), body


@pytest.mark.parametrize(("app", "method", "path", "caller", "expected"), _params())
async def test_access(apis, db, apps, app, method, path, caller, expected):
    headers, patient_id = await _caller(db, apps, caller)
    url, body = await _request(db, method, path, caller, patient_id)
    headers |= {"If-Match": "*"} if method == "PATCH" else {}

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
