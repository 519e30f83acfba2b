"""The "Plans and scheduling" table of docs/access.md, read as data, and the checks each
service's access matrix runs against it (tests/plans/, tests/scheduling/)."""

import re
from pathlib import Path

from fastapi import FastAPI

from tests.app_routes import served_routes

DOC = Path(__file__).resolve().parents[1] / "docs" / "access.md"
SECTION = "\n## Plans and scheduling\n"
CALLERS = ("anonymous", "patient", "front_desk", "therapist", "admin", "service")
PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")

Policy = dict[tuple[str, str, str], dict[str, int]]


def _section() -> str:
    return DOC.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]


def documented_policy(app: str) -> Policy:
    """The rows `| app | METHOD | `/path` | status | ... |` of this app."""
    section = _section()
    header = next(line for line in section.splitlines() if line.startswith("| app |"))
    assert tuple(c.strip() for c in header.strip("| ").split("|"))[3:] == CALLERS
    table = {}
    for line in section.splitlines():
        found = re.match(r"^\| ([a-z]+) \| ([A-Z]+) \| `(\S+)` \|(.*)\|$", line)
        if found and found.group(1) == app:
            _, method, path, rest = found.groups()
            statuses = [int(cell) for cell in rest.split("|")]
            table[(app, method, path)] = dict(zip(CALLERS, statuses, strict=True))
    return table


def assert_every_route_has_a_policy(app: str, served_by: FastAPI, policy: Policy) -> None:
    served = {(app, method, path) for method, path in served_routes(served_by)}
    assert served - policy.keys() == set(), "routes without an access policy"
    assert policy.keys() - served == set(), "policy rows for routes the apps do not have"


def assert_documented(app: str, policy: Policy) -> None:
    """The API rows are in the table; the public pages are one sentence under it."""
    assert documented_policy(app) == {
        key: row for key, row in policy.items() if key[2] not in PUBLIC_PATHS
    }
    section = " ".join(_section().split())
    assert all(f"`{path}`" in section for path in PUBLIC_PATHS)
