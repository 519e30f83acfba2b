"""Who may call what in plans and scheduling, cell by cell over HTTP (matrix row D2).

POLICY is the "Plans and scheduling" table of docs/access.md as data: for each route of
either app and each kind of caller, the status. Both apps live here, not one per folder,
because they share one table and one rule (every user reads, a service token is refused).
A route of either app missing from POLICY, a stale row, or a difference between POLICY and
the table fails the suite. The patients service has its own matrix in tests/patients/.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.app_routes import served_routes
from tests.factories import bearer, headers_for, make_patient
from tests.plans.factories import make_plan

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
CALLERS = ("anonymous", "patient", "front_desk", "therapist", "admin", "service")
USERS_READ = dict(zip(CALLERS, (401, 200, 200, 200, 200, 403), strict=True))
PATIENT_ONLY = dict(zip(CALLERS, (401, 200, 403, 403, 403, 403), strict=True))
PUBLIC = dict.fromkeys(CALLERS, 200)
PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")

# (app, method, path) -> caller -> status; path parameters as the app names them.
POLICY: dict[tuple[str, str, str], dict[str, int]] = {
    ("plans", "GET", "/v1/exercises"): USERS_READ,
    ("plans", "GET", "/v1/exercises/{slug}"): USERS_READ,
    ("plans", "GET", "/v1/audit"): dict(zip(CALLERS, (401, 403, 403, 403, 200, 403), strict=True)),
    ("plans", "GET", "/v1/me/plans"): PATIENT_ONLY,
    ("plans", "GET", "/v1/me/plans/{plan_id}"): PATIENT_ONLY,
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


async def _headers(db, apps, caller: str, patient=None) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    if caller == "service":
        signer = apps["patients"].state.signer
        return bearer(signer.service_token(service="plans", lifetime=timedelta(minutes=5)))
    return await headers_for(db, apps, caller, patient=patient)


@pytest.mark.parametrize(("app", "method", "path", "caller", "expected"), _params())
async def test_access(apis, db, apps, app, method, path, caller, expected):
    url = path.replace("{slug}", SEEDED_SLUG.get(path, ""))
    patient = None
    if "{plan_id}" in url:  # an active plan; a patient caller's own
        patient = await make_patient(db)
        url = url.replace("{plan_id}", str((await make_plan(db, patient_id=patient.id)).id))
    headers = await _headers(db, apps, caller, patient if caller == "patient" else None)

    response = await apis[app].request(method, url, headers=headers)

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
