"""A client generated from each service's OpenAPI document works, errors included (issue 6).

openapi-python-client (offline, pinned in requirements-dev) writes a client package from
the document the app serves; the test imports it and drives the in-process app through it,
via the httpx client the generated `Client` accepts. Every error must come back as a typed
`Problem`, never None, so a 404 can be told from a 412: the documents cannot drift from the
behaviour without this failing.
"""

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.factories import PASSWORD, make_account, make_patient

# No post hooks: formatting the generated code (with ruff) would only cost time.
GENERATOR_CONFIG = "post_hooks: []\n"


class GeneratedClients:
    """Generates each service's client once per test session, on first use."""

    def __init__(self, apps: dict[str, Any], folder: Path) -> None:
        self.apps, self.folder = apps, folder
        self.packages: dict[str, ModuleType] = {}

    def package(self, service: str) -> ModuleType:
        if service not in self.packages:
            self.packages[service] = self._generate(service)
        return self.packages[service]

    def _generate(self, service: str) -> ModuleType:
        name = f"generated_{service}_client"
        document = self.folder / f"{service}.json"
        document.write_text(json.dumps(self.apps[service].openapi()))
        config = self.folder / "config.yaml"
        config.write_text(GENERATOR_CONFIG + f"package_name_override: {name}\n")
        command = [
            sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none",
            "--path", str(document), "--config", str(config),
            "--output-path", str(self.folder / name), "--fail-on-warning",
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        # --fail-on-warning: a document the generator has to guess about fails here.
        assert run.returncode == 0, run.stdout + run.stderr
        return importlib.import_module(name)


@pytest.fixture(scope="session")
def generated(
    apps: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GeneratedClients]:
    folder = tmp_path_factory.mktemp("generated-clients")
    sys.path.insert(0, str(folder))
    try:
        yield GeneratedClients(apps, folder)
    finally:
        sys.path.remove(str(folder))


def client_of(package: ModuleType, app: Any, token: str | None = None) -> Any:
    """The generated client, sending to the in-process app through the httpx transport it
    accepts (so the test's rolled-back transaction sees what it writes)."""
    options = {
        "base_url": "http://testserver",
        "httpx_args": {"transport": httpx.ASGITransport(app)},
    }
    if token is None:
        return package.Client(**options)
    return package.AuthenticatedClient(token=token, **options)


def operation(package: ModuleType, tag: str, operation_id: str) -> Any:
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation_id}")


def model(package: ModuleType, name: str) -> Any:
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


async def test_sign_in_then_404_and_412_come_back_typed(generated, apps, db):
    package = generated.package("patients")
    problem = model(package, "Problem")
    account = await make_account(db, role="front_desk")
    patient = await make_patient(db)

    issue_token = operation(package, "auth", "issue_token")
    form = model(package, "TokenForm")(username=account.email, password=PASSWORD)
    signed_in = await issue_token.asyncio_detailed(
        client=client_of(package, apps["patients"]), body=form
    )
    assert signed_in.status_code == 200
    assert isinstance(signed_in.parsed, model(package, "TokenResponse"))
    client = client_of(package, apps["patients"], signed_in.parsed.access_token)

    read_patient = operation(package, "patients", "read_patient")
    missing = await read_patient.asyncio_detailed(uuid.uuid4(), client=client)
    assert missing.status_code == 404 and isinstance(missing.parsed, problem)
    assert missing.parsed.type_.endswith("/not-found") and missing.parsed.status == 404

    found = await read_patient.asyncio_detailed(patient.id, client=client)
    assert found.parsed.id == patient.id and found.headers["etag"] == '"1"'

    update_patient = operation(package, "patients", "update_patient")
    change = model(package, "PatientUpdate")(preferred_name="Mo")
    stale = await update_patient.asyncio_detailed(
        patient.id, client=client, body=change, if_match='"7"'
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, problem)
    assert stale.parsed.type_.endswith("/precondition-failed")

    changed = await update_patient.asyncio_detailed(
        patient.id, client=client, body=change, if_match=found.headers["etag"]
    )
    assert changed.status_code == 200 and changed.parsed.preferred_name == "Mo"


async def test_wrong_credentials_and_field_errors_come_back_typed(generated, apps, db):
    package = generated.package("patients")
    problem, field_error = model(package, "Problem"), model(package, "FieldError")
    account = await make_account(db, role="front_desk")
    issue_token = operation(package, "auth", "issue_token")
    anonymous = client_of(package, apps["patients"])

    wrong = model(package, "TokenForm")(username=account.email, password="not-the-password")
    refused = await issue_token.asyncio_detailed(client=anonymous, body=wrong)
    assert refused.status_code == 401 and isinstance(refused.parsed, problem)

    half = model(package, "TokenForm")(username=account.email)
    invalid = await issue_token.asyncio_detailed(client=anonymous, body=half)
    assert invalid.status_code == 422 and isinstance(invalid.parsed, problem)
    assert [(type(e), e.loc, e.type_) for e in invalid.parsed.errors] == [
        (field_error, ["body", "password"], "missing")
    ]


@pytest.mark.parametrize(
    ("service", "tag", "operation_id", "unknown"),
    [
        ("plans", "exercises", "read_exercise", "no-such-exercise"),
        ("scheduling", "locations", "read_location", "no-such-clinic"),
    ],
)
async def test_the_other_services_answer_typed_problems_too(
    generated, apps, db, service, tag, operation_id, unknown
):
    package = generated.package(service)
    account = await make_account(db, role="therapist")
    token = apps["patients"].state.signer.access_token(
        user_id=account.id, role=account.role, patient_id=None
    )
    read = operation(package, tag, operation_id)
    missing = await read.asyncio_detailed(unknown, client=client_of(package, apps[service], token))
    assert missing.status_code == 404 and isinstance(missing.parsed, model(package, "Problem"))
    anonymous = await read.asyncio_detailed(
        unknown, client=client_of(package, apps[service], "not-a-token")
    )
    assert anonymous.status_code == 401 and anonymous.parsed.status == 401
