"""Who may call what in the patients service, cell by cell over HTTP (matrix row D2).

POLICY below is the access table of docs/access.md as data: for each route and each kind of
caller, the status the caller gets. Every cell is one test with fresh objects. A refused
request must leave the data as it was; a patient probing another patient's record gets the
very 404 a nonexistent id gets. Every answer is also read for what it shows: a list holds
exactly the records it should and none it should not, and no answer to any cell holds an id
or a name of an outsider, a patient with a login whom no cell is about. A route of the app
missing from POLICY, a stale row, or a difference between POLICY and the table in
docs/access.md fails the suite.
"""

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.patients.identity.passwords import verify_password
from services.patients.models import AuditEvent, Patient, UserAccount
from tests.app_routes import served_routes
from tests.factories import PASSWORD, bearer, make_account, make_patient, token_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
ROLES = ("anonymous", "patient", "front_desk", "therapist", "admin")
STRONG = "a-long-unusual-passphrase-9"
Cell = int | dict[str, int]  # one status, or one per variant ("" = the plain case)


def _row(anonymous: Cell, patient: Cell, front_desk: Cell, therapist: Cell, admin: Cell):
    return dict(zip(ROLES, (anonymous, patient, front_desk, therapist, admin), strict=True))


PUBLIC = _row(200, 200, 200, 200, 200)
PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
ADMIN_ONLY = _row(401, 403, 403, 403, 200)
OWN = "own"
OTHER = "other"
OWN_CONTACT = "own contact fields"
OWN_OTHER_FIELDS = "own other fields"

# Routes only other services may call (service tokens); users' cells here, the service's in
# SERVICE_COLUMN at the end of this module.
UNKNOWN_ID = "unknown id"
SERVICE_ONLY_POLICY: dict[tuple[str, str], dict[str, Cell]] = {
    ("GET", "/v1/accounts/{id}/status"): _row(401, 403, 403, 403, 403),
    ("GET", "/v1/patients/{id}/status"): _row(401, 403, 403, 403, 403),
    ("POST", "/v1/patient-names"): _row(401, 403, 403, 403, 403),
}

# (method, path) -> role -> status. Path parameters are written {id}.
POLICY: dict[tuple[str, str], dict[str, Cell]] = {
    ("POST", "/v1/auth/token"): _row({"": 200, "wrong password": 401}, 200, 200, 200, 200),
    ("GET", "/.well-known/jwks.json"): PUBLIC,
    ("GET", "/v1/users/me"): _row(401, 200, 200, 200, 200),
    ("POST", "/v1/users/me/password"): _row(401, 204, 204, 204, 204),
    ("POST", "/v1/users"): _row(401, 403, 403, 403, 201),
    ("GET", "/v1/users"): ADMIN_ONLY,
    ("GET", "/v1/users/{id}"): ADMIN_ONLY,
    ("POST", "/v1/users/{id}/disable"): _row(401, 403, 403, 403, {"": 200, OWN: 409}),
    ("POST", "/v1/users/{id}/enable"): _row(401, 403, 403, 403, {"": 200, OWN: 409}),
    ("POST", "/v1/patients"): _row(401, 403, 201, 201, 403),
    ("GET", "/v1/patients"): _row(401, 403, 200, 200, 403),
    ("GET", "/v1/patients/{id}"): _row(401, {OWN: 200, OTHER: 404}, 200, 200, 403),
    ("PATCH", "/v1/patients/{id}"): _row(
        401, {OWN_CONTACT: 200, OWN_OTHER_FIELDS: 403, OTHER: 404}, 200, 200, 403
    ),
    ("POST", "/v1/patients/{id}/archive"): _row(401, {OWN: 403, OTHER: 403}, 200, 200, 403),
    ("POST", "/v1/patients/{id}/account"): _row(401, {OWN: 403, OTHER: 403}, 201, 403, 403),
    ("GET", "/v1/audit"): ADMIN_ONLY,
    **SERVICE_ONLY_POLICY,
    **{("GET", path): PUBLIC for path in PUBLIC_PATHS},
}


def _flatten(table: dict[tuple[str, str], dict[str, Cell]]) -> dict[tuple[str, ...], int]:
    cells = {}
    for (method, path), row in table.items():
        for role, cell in row.items():
            for variant, status in (cell if isinstance(cell, dict) else {"": cell}).items():
                cells[(method, path, role, variant)] = status
    return cells


def _label(method: str, path: str, role: str, variant: str) -> str:
    return f"{method} {path} as {role}" + (f" ({variant})" if variant else "")


def _params() -> list[Any]:
    return [pytest.param(*key, status, id=_label(*key)) for key, status in _flatten(POLICY).items()]


# -- the scenario of each route: fresh objects, the request, and what to check after ----------


@dataclass
class Ctx:
    db: AsyncSession
    api: httpx.AsyncClient
    apps: dict[str, FastAPI]
    role: str
    account: UserAccount | None  # None when anonymous
    headers: dict[str, str]

    @property
    def actor_id(self) -> uuid.UUID | None:
        return self.account.id if self.account else None

    async def own_patient(self) -> Patient:
        assert self.account is not None and self.account.patient_id is not None
        patient = await self.db.get(Patient, self.account.patient_id)
        assert patient is not None
        return patient


Check = Callable[[httpx.Response], Awaitable[None]]


@dataclass
class Call:
    method: str
    url: str
    json: Any = None
    data: dict[str, str] | None = None
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    succeeded: Check | None = None  # run on a 2xx
    unchanged: Callable[[], Awaitable[None]] | None = None  # run on a refusal
    probe_url: str | None = None  # the same request at an id that does not exist
    secrets: tuple[str, ...] = ()  # what a refusal must not reveal
    hidden: tuple[str, ...] = ()  # what no answer to this cell may reveal, success or not


async def _audited(ctx: Ctx, action: str, patient_id: uuid.UUID | None = None) -> bool:
    statement = select(AuditEvent).where(
        AuditEvent.action == action,
        AuditEvent.outcome == "success",
        AuditEvent.actor_user_id == ctx.actor_id,
    )
    if patient_id is not None:
        statement = statement.where(AuditEvent.patient_id == patient_id)
    return (await ctx.db.exec(statement)).first() is not None


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _other_patient(db: AsyncSession) -> Patient:
    """Someone else's record, with names a leak would show."""
    return await make_patient(db, given_name="Philippa", family_name=_unique("Secretname"))


def _snapshot(patient: Patient) -> tuple[Any, ...]:
    return (
        patient.version,
        patient.status,
        patient.given_name,
        patient.family_name,
        patient.phone,
        patient.archive_reason,
    )


def _record_untouched(ctx: Ctx, patient: Patient, action: str):
    """After a refusal: the record as it was, and no successful audit row of the action."""
    before = _snapshot(patient)

    async def check() -> None:
        await ctx.db.refresh(patient)
        assert _snapshot(patient) == before
        assert patient.version == 1
        assert not await _audited(ctx, action, patient.id)

    return check


async def sign_in_call(ctx: Ctx, variant: str) -> Call:
    account = ctx.account or await make_account(ctx.db, role="therapist")
    password = "not-the-password-at-all" if variant == "wrong password" else PASSWORD

    async def succeeded(response: httpx.Response) -> None:
        body = response.json()
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["sub"] == str(account.id) and claims["role"] == account.role
        assert body["expires_in"] == 15 * 60 and body["refresh_token"]

    form = {"username": account.email, "password": password}
    return Call("POST", "/v1/auth/token", data=form, succeeded=succeeded)


async def jwks_call(ctx: Ctx, variant: str) -> Call:
    async def succeeded(response: httpx.Response) -> None:
        assert response.json()["keys"]

    return Call("GET", "/.well-known/jwks.json", succeeded=succeeded)


async def me_call(ctx: Ctx, variant: str) -> Call:
    async def succeeded(response: httpx.Response) -> None:
        assert ctx.account is not None
        body = response.json()
        assert body["id"] == str(ctx.account.id) and body["role"] == ctx.role
        patient_id = ctx.account.patient_id
        assert body["patient_id"] == (str(patient_id) if patient_id else None)

    return Call("GET", "/v1/users/me", succeeded=succeeded)


async def password_call(ctx: Ctx, variant: str) -> Call:
    new = "another-unusual-passphrase-71"

    async def succeeded(response: httpx.Response) -> None:
        assert ctx.account is not None
        await ctx.db.refresh(ctx.account)
        assert verify_password(ctx.account.password_hash, new)

    body = {"current_password": PASSWORD, "new_password": new}
    return Call("POST", "/v1/users/me/password", json=body, succeeded=succeeded)


async def create_staff_call(ctx: Ctx, variant: str) -> Call:
    email = f"{_unique('new-staff')}@clinic.example"
    body = {"email": email, "display_name": "New Staff", "role": "therapist", "password": STRONG}

    async def succeeded(response: httpx.Response) -> None:
        assert response.json()["email"] == email and response.json()["role"] == "therapist"

    async def unchanged() -> None:
        found = await ctx.db.exec(select(UserAccount).where(UserAccount.email == email))
        assert found.first() is None

    return Call("POST", "/v1/users", json=body, succeeded=succeeded, unchanged=unchanged)


async def _every_item(ctx: Ctx, call: "Call", first: httpx.Response) -> list[dict[str, Any]]:
    """The items of the answer and of every page after it (the clinic's database may hold
    more rows than one page, some committed by other tests)."""
    items, body = [], first.json()
    while True:
        items += body["items"]
        if not body["next_cursor"]:
            return items
        params = (call.params or {}) | {"cursor": body["next_cursor"]}
        page = await ctx.api.get(call.url, params=params, headers=ctx.headers)
        assert page.status_code == 200, page.text
        body = page.json()


async def list_users_call(ctx: Ctx, variant: str) -> Call:
    therapist = await make_account(ctx.db, role="therapist")
    desk = await make_account(ctx.db, role="front_desk")
    patient_login = await make_account(ctx.db, role="patient")

    async def succeeded(response: httpx.Response) -> None:
        items = await _every_item(ctx, call, response)
        assert {item["role"] for item in items} == {"therapist"}
        ids = [item["id"] for item in items]
        assert str(therapist.id) in ids and len(ids) == len(set(ids))
        # The filter holds: the front desk's and the patient's logins are not listed.
        assert {str(desk.id), str(patient_login.id)}.isdisjoint(ids)

    call = Call(
        "GET",
        "/v1/users",
        params={"role": "therapist", "limit": "100"},
        succeeded=succeeded,
        secrets=(str(therapist.id), therapist.email),
        hidden=(str(desk.id), desk.email, str(patient_login.id), patient_login.email),
    )
    return call


async def read_user_call(ctx: Ctx, variant: str) -> Call:
    target = await make_account(ctx.db, role="therapist")

    async def succeeded(response: httpx.Response) -> None:
        assert response.json()["id"] == str(target.id)

    return Call("GET", f"/v1/users/{target.id}", succeeded=succeeded)


def _toggle_call(action: str) -> Callable[[Ctx, str], Awaitable[Call]]:
    disabling = action == "disable"

    async def build(ctx: Ctx, variant: str) -> Call:
        if variant == OWN:
            assert ctx.account is not None
            target = ctx.account
        else:
            disabled_at = None if disabling else datetime.now(UTC)
            target = await make_account(ctx.db, role="therapist", disabled_at=disabled_at)
        before = target.disabled_at

        async def succeeded(response: httpx.Response) -> None:
            await ctx.db.refresh(target)
            assert (target.disabled_at is not None) is disabling
            assert (response.json()["disabled_at"] is not None) is disabling

        async def unchanged() -> None:
            await ctx.db.refresh(target)
            assert target.disabled_at == before

        url = f"/v1/users/{target.id}/{action}"
        return Call("POST", url, succeeded=succeeded, unchanged=unchanged)

    return build


NEW_PATIENT = {
    "given_name": "Rosa",
    "family_name": "Delgado",
    "birth_date": "1978-09-30",
    "sex": "female",
    "home_location": "gaithersburg",
}


async def register_call(ctx: Ctx, variant: str) -> Call:
    family_name = _unique("Registered")

    async def succeeded(response: httpx.Response) -> None:
        body = response.json()
        assert body["family_name"] == family_name and body["version"] == 1
        assert await _audited(ctx, "patient.create", uuid.UUID(body["id"]))

    async def unchanged() -> None:
        found = await ctx.db.exec(select(Patient).where(Patient.family_name == family_name))
        assert found.first() is None

    body = NEW_PATIENT | {"family_name": family_name}
    return Call("POST", "/v1/patients", json=body, succeeded=succeeded, unchanged=unchanged)


async def search_call(ctx: Ctx, variant: str) -> Call:
    """A name search: it finds the family name and the same word as a preferred name, and
    neither the archived namesake, nor a name that shares only the start, nor anyone else."""
    patient = await _other_patient(ctx.db)
    word = patient.family_name
    called_so = await make_patient(ctx.db, given_name="Lucinda", preferred_name=word)
    archived = await make_patient(
        ctx.db,
        family_name=word,
        status="archived",
        archived_at=datetime.now(UTC),
        archive_reason="moved away",
    )
    near_miss = await make_patient(ctx.db, family_name=_unique(word.split("-")[0]))

    async def succeeded(response: httpx.Response) -> None:
        ids = [p["id"] for p in response.json()["items"]]
        assert sorted(ids) == sorted([str(patient.id), str(called_so.id)])
        assert await _audited(ctx, "patient.search")

    async def unchanged() -> None:
        assert not await _audited(ctx, "patient.search")

    return Call(
        "GET",
        "/v1/patients",
        params={"name": word},
        succeeded=succeeded,
        unchanged=unchanged,
        secrets=(str(patient.id), str(called_so.id), word),
        hidden=(str(archived.id), str(near_miss.id), near_miss.family_name),
    )


async def _target(ctx: Ctx, variant: str) -> Patient:
    """The caller's own record, another patient's, or (staff, anonymous) a fresh one."""
    if variant.startswith(OWN):
        return await ctx.own_patient()
    return await _other_patient(ctx.db)


def _names(patient: Patient) -> tuple[str, ...]:
    return (patient.given_name, patient.family_name)


async def read_call(ctx: Ctx, variant: str) -> Call:
    patient = await _target(ctx, variant)

    async def succeeded(response: httpx.Response) -> None:
        assert response.json()["id"] == str(patient.id)
        assert response.headers["etag"] == '"1"'
        assert await _audited(ctx, "patient.read", patient.id)

    return Call(
        "GET",
        f"/v1/patients/{patient.id}",
        succeeded=succeeded,
        unchanged=_record_untouched(ctx, patient, "patient.read"),
        probe_url=f"/v1/patients/{uuid.uuid4()}",
        secrets=_names(patient),
    )


async def update_call(ctx: Ctx, variant: str) -> Call:
    patient = await _target(ctx, variant)
    # A patient sends a contact field (except to test the others); staff a clinical one.
    if variant in (OWN_CONTACT, OTHER):
        change, stored = {"phone": "(301) 555-0199"}, {"phone": "+13015550199"}
    else:
        change = stored = {"family_name": _unique("Renamed")}

    async def succeeded(response: httpx.Response) -> None:
        assert response.json() | stored == response.json()
        await ctx.db.refresh(patient)
        assert patient.version == 2 and response.headers["etag"] == '"2"'
        assert await _audited(ctx, "patient.update", patient.id)

    return Call(
        "PATCH",
        f"/v1/patients/{patient.id}",
        json=change,
        headers={"If-Match": '"1"'},
        succeeded=succeeded,
        unchanged=_record_untouched(ctx, patient, "patient.update"),
        probe_url=f"/v1/patients/{uuid.uuid4()}",
        secrets=_names(patient),
    )


async def archive_call(ctx: Ctx, variant: str) -> Call:
    patient = await _target(ctx, variant)

    async def succeeded(response: httpx.Response) -> None:
        assert response.json()["status"] == "archived"
        await ctx.db.refresh(patient)
        assert patient.status == "archived" and patient.archive_reason == "moved away"
        assert await _audited(ctx, "patient.archive", patient.id)

    return Call(
        "POST",
        f"/v1/patients/{patient.id}/archive",
        json={"reason": "moved away"},
        succeeded=succeeded,
        unchanged=_record_untouched(ctx, patient, "patient.archive"),
        secrets=_names(patient),
    )


async def patient_account_call(ctx: Ctx, variant: str) -> Call:
    patient = await _target(ctx, variant)
    email = f"{_unique('portal')}@example.com"

    async def succeeded(response: httpx.Response) -> None:
        body = response.json()
        assert body["role"] == "patient" and body["patient_id"] == str(patient.id)
        assert await _audited(ctx, "account.create", patient.id)

    async def unchanged() -> None:
        found = await ctx.db.exec(select(UserAccount).where(UserAccount.email == email))
        assert found.first() is None

    return Call(
        "POST",
        f"/v1/patients/{patient.id}/account",
        json={"email": email, "password": STRONG},
        succeeded=succeeded,
        unchanged=unchanged,
        secrets=_names(patient),
    )


async def audit_call(ctx: Ctx, variant: str) -> Call:
    """One patient's trail: a therapist's read of that record is in it, and nothing about
    the other record the same therapist read."""
    patient, bystander = await _other_patient(ctx.db), await _other_patient(ctx.db)
    reader = await make_account(ctx.db, role="therapist")
    for record in (patient, bystander):
        read = await ctx.api.get(
            f"/v1/patients/{record.id}", headers=bearer(token_for(ctx.apps, reader))
        )
        assert read.status_code == 200

    async def succeeded(response: httpx.Response) -> None:
        items = await _every_item(ctx, call, response)
        assert {item["patient_id"] for item in items} == {str(patient.id)}
        seen = {(item["action"], item["actor_user_id"]) for item in items}
        assert ("patient.read", str(reader.id)) in seen
        assert await _audited(ctx, "audit.read", patient.id)

    call = Call(
        "GET",
        "/v1/audit",
        params={"patient_id": str(patient.id)},
        succeeded=succeeded,
        secrets=(str(reader.id),),
        hidden=(str(bystander.id),),
    )
    return call


async def account_status_call(ctx: Ctx, variant: str) -> Call:
    target = await make_account(ctx.db, role="therapist")
    user_id = uuid.uuid4() if variant == UNKNOWN_ID else target.id

    async def succeeded(response: httpx.Response) -> None:
        assert response.json() == {
            "user_id": str(target.id),
            "active": True,
            "role": "therapist",
            "display_name": target.display_name,
        }

    return Call("GET", f"/v1/accounts/{user_id}/status", succeeded=succeeded)


async def patient_status_call(ctx: Ctx, variant: str) -> Call:
    patient = await make_patient(ctx.db)
    patient_id = uuid.uuid4() if variant == UNKNOWN_ID else patient.id

    async def succeeded(response: httpx.Response) -> None:
        assert response.json() == {"id": str(patient.id), "status": "active"}

    return Call("GET", f"/v1/patients/{patient_id}/status", succeeded=succeeded)


async def _disclosed(ctx: Ctx, patient_id: uuid.UUID) -> bool:
    """Whether a lookup named the patient to anyone (a service acts under its own id)."""
    statement = select(AuditEvent).where(
        AuditEvent.action == "patient.lookup", AuditEvent.patient_id == patient_id
    )
    return (await ctx.db.exec(statement)).first() is not None


async def patient_lookup_call(ctx: Ctx, variant: str) -> Call:
    """Scheduling asks the names of two patients, one of whom does not exist."""
    patient = await _other_patient(ctx.db)
    missing = uuid.uuid4() if variant == UNKNOWN_ID else None
    ids = [patient.id] if missing is None else [missing]

    async def succeeded(response: httpx.Response) -> None:
        items = response.json()["items"]
        if missing is not None:
            assert items == []
            return
        assert [(i["id"], i["initials"]) for i in items] == [(str(patient.id), "P.S.")]
        assert await _disclosed(ctx, patient.id)

    async def unchanged() -> None:
        assert not await _disclosed(ctx, patient.id)

    return Call(
        "POST",
        "/v1/patient-names",
        json={"ids": [str(i) for i in ids]},
        succeeded=succeeded,
        unchanged=unchanged,
        secrets=_names(patient),
    )


SERVICE_ONLY_SCENARIOS = {
    ("GET", "/v1/accounts/{id}/status"): account_status_call,
    ("GET", "/v1/patients/{id}/status"): patient_status_call,
    ("POST", "/v1/patient-names"): patient_lookup_call,
}


def _public(path: str) -> Callable[[Ctx, str], Awaitable[Call]]:
    async def build(ctx: Ctx, variant: str) -> Call:
        return Call("GET", path)

    return build


SCENARIOS: dict[tuple[str, str], Callable[[Ctx, str], Awaitable[Call]]] = {
    ("POST", "/v1/auth/token"): sign_in_call,
    ("GET", "/.well-known/jwks.json"): jwks_call,
    ("GET", "/v1/users/me"): me_call,
    ("POST", "/v1/users/me/password"): password_call,
    ("POST", "/v1/users"): create_staff_call,
    ("GET", "/v1/users"): list_users_call,
    ("GET", "/v1/users/{id}"): read_user_call,
    ("POST", "/v1/users/{id}/disable"): _toggle_call("disable"),
    ("POST", "/v1/users/{id}/enable"): _toggle_call("enable"),
    ("POST", "/v1/patients"): register_call,
    ("GET", "/v1/patients"): search_call,
    ("GET", "/v1/patients/{id}"): read_call,
    ("PATCH", "/v1/patients/{id}"): update_call,
    ("POST", "/v1/patients/{id}/archive"): archive_call,
    ("POST", "/v1/patients/{id}/account"): patient_account_call,
    ("GET", "/v1/audit"): audit_call,
    **SERVICE_ONLY_SCENARIOS,
    **{("GET", path): _public(path) for path in PUBLIC_PATHS},
}


async def _send(api: httpx.AsyncClient, call: Call, headers: dict[str, str], url: str):
    return await api.request(
        call.method,
        url,
        json=call.json,
        data=call.data,
        params=call.params,
        headers=headers | call.headers,
    )


# -- the matrix -------------------------------------------------------------------------------


async def _outsider(db: AsyncSession) -> tuple[str, ...]:
    """A patient with a login whom no cell is about: what of them any answer could show."""
    patient = await make_patient(db, given_name="Ottoline", family_name=_unique("Outsider"))
    login = await make_account(db, role="patient", patient=patient)
    return (str(patient.id), patient.family_name, str(login.id), login.email)


@pytest.mark.parametrize(("method", "path", "role", "variant", "expected"), _params())
async def test_access(patients_api, db, apps, method, path, role, variant, expected):
    outsider = await _outsider(db)
    account = None if role == "anonymous" else await make_account(db, role=role)
    headers = bearer(token_for(apps, account)) if account else {}
    ctx = Ctx(db=db, api=patients_api, apps=apps, role=role, account=account, headers=headers)
    call = await SCENARIOS[(method, path)](ctx, variant)

    response = await _send(patients_api, call, ctx.headers, call.url)

    assert response.status_code == expected, response.text
    for never_shown in (*outsider, *call.hidden):
        assert never_shown.lower() not in response.text.lower(), never_shown
    await _settled(call, response, expected)
    if expected == 404 and role == "patient":
        # Exactly what an id that does not exist gets: nothing tells the two apart.
        assert call.probe_url is not None
        missing = await _send(patients_api, call, ctx.headers, call.probe_url)
        assert missing.status_code == 404
        assert response.json() | {"instance": None} == missing.json() | {"instance": None}
        assert "etag" not in response.headers and "etag" not in missing.headers


# -- the table covers the app, and the document says the same ---------------------------------

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path)


def _app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, HEAD aside, with {id} for each path parameter."""
    return {(method, _template(path)) for method, path in served_routes(app)}


def test_every_route_of_the_app_has_a_policy(apps):
    app = apps["patients"]
    served = _app_routes(app)
    in_openapi = {
        (method.upper(), _template(path))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method.upper() in HTTP_METHODS
    }
    assert in_openapi and in_openapi <= served  # the walk misses nothing the API documents
    assert served - POLICY.keys() == set(), "routes without an access policy"
    assert POLICY.keys() - served == set(), "policy rows for routes the app does not have"


def test_every_policy_row_has_a_scenario_and_every_role():
    assert SCENARIOS.keys() == POLICY.keys()
    assert all(tuple(row) == ROLES for row in POLICY.values())


def _parse_cell(text: str) -> Cell:
    """`200`, `200 (note)` or `own: 200; other: 404`."""
    statuses = {}
    for item in text.split(";"):
        found = re.match(r"^(?:([^:]+):\s*)?(\d{3})\b", item.strip())
        assert found, f"cannot read the cell {text!r} of docs/access.md"
        statuses[(found.group(1) or "").strip()] = int(found.group(2))
    return statuses[""] if list(statuses) == [""] else statuses


def _documented_policy() -> dict[tuple[str, str], dict[str, Cell]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| route |"))
    assert tuple(c.strip() for c in header.strip("| ").split("|"))[1:] == ROLES
    table = {}
    for line in lines:
        found = re.match(r"^\| `([A-Z]+) (\S+)` \|(.*)\|$", line)
        if found:
            method, path, rest = found.groups()
            cells = [_parse_cell(cell) for cell in rest.split("|")]
            table[(method, path)] = dict(zip(ROLES, cells, strict=True))
    return table


def test_the_documented_table_is_this_policy():
    assert _flatten(_documented_policy()) == _flatten(POLICY)


# -- the service column (matrix rows D2 and D5): a service token on every route -------------------
#
# A separate table in docs/access.md ("Services"): a service token reaches only the routes made
# for services and the public ones; on a user's route it gets 403, and nothing changes. The
# token route also takes the client-credentials grant, which is how a service gets its token.

PLANS, SCHEDULING = "plans", "scheduling"
CLIENT_CREDENTIALS = "client credentials"
OTHER_SECRET = "another service's secret"
USERS_ONLY = 403
SERVICE_COLUMN: dict[tuple[str, str], Cell] = {
    ("POST", "/v1/auth/token"): {"": 200, CLIENT_CREDENTIALS: 200, OTHER_SECRET: 401},
    ("GET", "/.well-known/jwks.json"): 200,
    **{key: USERS_ONLY for key in POLICY if key[1].startswith(("/v1/users", "/v1/patients"))},
    ("GET", "/v1/audit"): USERS_ONLY,
    ("GET", "/v1/accounts/{id}/status"): {PLANS: 200, SCHEDULING: 200, UNKNOWN_ID: 404},
    ("GET", "/v1/patients/{id}/status"): {PLANS: 200, SCHEDULING: 200, UNKNOWN_ID: 404},
    # Names are scheduling's to ask (its day sheet, its calendar feeds); unknown ids: left out.
    ("POST", "/v1/patient-names"): {PLANS: 403, SCHEDULING: 200, UNKNOWN_ID: 200},
    **{("GET", path): 200 for path in PUBLIC_PATHS},
}


async def service_token_call(ctx: Ctx, variant: str, *, settings: Any) -> Call:
    """The token route, as a service: a password sign-in (its bearer token is ignored), or
    the client-credentials grant with its own secret or another service's."""
    if variant not in (CLIENT_CREDENTIALS, OTHER_SECRET):
        return await sign_in_call(ctx, variant)
    secret = settings.client_secret(SCHEDULING if variant == OTHER_SECRET else PLANS)
    form = {"grant_type": "client_credentials", "client_id": PLANS, "client_secret": secret}

    async def succeeded(response: httpx.Response) -> None:
        claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
        assert claims["role"] == "service" and claims["sub"] == PLANS

    return Call("POST", "/v1/auth/token", data=form, succeeded=succeeded)


async def _settled(call: "Call", response: httpx.Response, expected: int) -> None:
    """A success passes the call's own checks; a refusal is problem+json, shows no secret
    and changed nothing."""
    if expected < 400:
        if call.succeeded is not None:
            await call.succeeded(response)
        return
    assert response.headers["content-type"] == "application/problem+json"
    for secret in call.secrets:
        assert secret.lower() not in response.text.lower()
    if call.unchanged is not None:
        await call.unchanged()


def _service_params() -> list[Any]:
    cells = _flatten({key: {"service": cell} for key, cell in SERVICE_COLUMN.items()})
    return [pytest.param(*key, status, id=_label(*key)) for key, status in cells.items()]


@pytest.mark.parametrize(("method", "path", "role", "variant", "expected"), _service_params())
async def test_service_access(patients_api, db, apps, method, path, role, variant, expected):
    signer = apps["patients"].state.signer
    service = SCHEDULING if variant in (SCHEDULING, UNKNOWN_ID) else PLANS
    token = signer.service_token(service=service, lifetime=timedelta(minutes=5))
    ctx = Ctx(db=db, api=patients_api, apps=apps, role=role, account=None, headers=bearer(token))
    settings = apps["patients"].state.settings
    scenarios = {
        **SCENARIOS,
        ("POST", "/v1/auth/token"): partial(service_token_call, settings=settings),
    }
    call = await scenarios[(method, path)](ctx, variant)

    response = await _send(patients_api, call, ctx.headers, call.url)

    assert response.status_code == expected, response.text
    await _settled(call, response, expected)


def test_the_service_column_covers_every_route():
    assert SERVICE_COLUMN.keys() == POLICY.keys()


def _documented_service_column() -> dict[tuple[str, str], Cell]:
    """The table under "## Services" in docs/access.md: `| GET | `/path` | cell |` rows."""
    text = DOC.read_text(encoding="utf-8").split("\n## Services\n", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in text.splitlines():
        found = re.match(r"^\| ([A-Z]+) \| `(\S+)` \|(.*)\|$", line)
        if found:
            method, path, cell = found.groups()
            table[(method, path)] = _parse_cell(cell)
    return table


def test_the_documented_service_column_is_this_policy():
    assert _documented_service_column() == SERVICE_COLUMN
