"""Schemathesis over the three services in-process (ASGI), with a fixed seed and every check:
no answer may be a server error, carry a status, header or body its OpenAPI document does not
declare, or accept input the document calls invalid (issue 6).

The apps run in schemathesis' own event loop (its ASGI transport), so they are built here on
a database of their own, cloned from the migrated template: what the generated requests
commit never meets another test. Staff tokens get the requests past authentication (an admin
on the accounts, audit, plan-list, appointment-type and therapist routes, front desk everywhere
else, a service token of plans on the service-only account status and one of scheduling on
visit outcomes and the patient lookup, a therapist on the handout and the plan's FHIR Bundle)
and the routes that take a patient, account, plan or therapist id or a type's slug get a real
one. The suite runs 5 examples per operation; `make schemathesis` runs 200
(CLINIC_SCHEMATHESIS_EXAMPLES).
"""

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.patients.main import build_app as build_patients
from services.patients.settings import PatientsSettings
from services.plans.main import build_app as build_plans
from services.scheduling.main import build_app as build_scheduling
from tests.common.apps import own_settings
from tests.database import clone_template, drop
from tests.factories import bearer, make_account, make_patient
from tests.plans.factories import make_plan
from tests.transport import ServiceRouter

SEED = 20261124
EXAMPLES = int(os.environ.get("CLINIC_SCHEMATHESIS_EXAMPLES", "5"))
HOSTS = {"patients": "patients.test", "plans": "plans.test", "scheduling": "scheduling.test"}
BUILDERS = {"patients": build_patients, "plans": build_plans, "scheduling": build_scheduling}

# Where this API rightly differs from the defaults of schemathesis' checks, and why.
CHECKS = {
    # Valid by the schema, refused by a rule no schema can state: an unknown clinic slug,
    # a birth date in the future, a phone number that does not exist, a weak password
    # (422); an If-Match naming another version than the record's (412).
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "429"]
    },
    # A missing If-Match is 428 Precondition Required (RFC 6585), not a 4xx of the body.
    "missing_required_header": {
        "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
    },
}


def _config(records: dict[str, Any]) -> SchemathesisConfig:
    """Staff tokens, and real records behind the routes that take a patient id (a random
    id only ever reaches the 404), each route its own record so archiving one leaves the
    others to change."""
    pinned = {
        "read_patient": {"patient_id": records["read"]},
        "update_patient": {"patient_id": records["read"], "if-match": "*"},
        "archive_patient": {"patient_id": records["archive"]},
        "create_patient_account": {"patient_id": records["account"]},
        "read_appointment_type": {"type_slug": "treatment"},
        "update_appointment_type": {"type_slug": "treatment", "if-match": "*"},
        **{
            name: {"therapist_id": records["therapist_id"]}
            for name in (
                "replace_hours",
                "read_hours",
                "add_time_off",
                "list_time_off",
                "create_calendar_feed",
                "revoke_calendar_feed",
            )
        },
    }
    operations = [
        {
            "include-path-regex": "^/v1/(users|audit|plans$|appointment-types|therapists)",
            "headers": records["admin"],
        },
        *(
            {"include-operation-id": name, "headers": records["scheduling"]}
            for name in ("record_visit_outcome", "look_up_patients")
        ),
        {
            "include-operation-id": "read_account_status",
            "headers": records["service"],
            "parameters": {"user_id": records["user"]},
        },
        *({"include-operation-id": name, "parameters": p} for name, p in pinned.items()),
        *(
            {
                "include-operation-id": name,
                "headers": records["therapist"],
                "parameters": {"plan_id": records["plan"]},
            }
            for name in ("read_plan_handout", "read_plan_fhir")
        ),
        # The probe of ignored_auth re-sends the created login's request with its
        # Idempotency-Key and the harness's staff header, so it gets the stored 201 back.
        # Without a token this route answers 401 (tests/patients/test_access_matrix.py).
        {
            "include-operation-id": "create_patient_account",
            "checks": {"ignored_auth": {"enabled": False}},
        },
    ]
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": EXAMPLES},
            "headers": records["front_desk"],
            "checks": CHECKS,
            "operations": operations,
        }
    )


def _server_and_worker(config: pytest.Config) -> tuple[str, str]:
    workerinput = getattr(config, "workerinput", None)
    if workerinput:
        return workerinput["clinic_base_url"], workerinput["workerid"]
    return os.environ["CLINIC_TEST_BASE_URL"], "main"


@pytest.fixture(scope="session")
async def fuzz_settings(
    request: pytest.FixtureRequest, settings: PatientsSettings
) -> AsyncIterator[PatientsSettings]:
    base, worker = _server_and_worker(request.config)
    name = f"clinic_fuzz_{worker}"
    url = await clone_template(base, name)
    yield settings.model_copy(update={"database_url": url})
    asgi.shutdown_lifespans()  # closes the apps' engines before the database goes
    await drop(base, name)


@pytest.fixture(scope="session")
def fuzz_apps(fuzz_settings: PatientsSettings) -> dict[str, FastAPI]:
    router = ServiceRouter()
    built = {
        name: build(own_settings(name, fuzz_settings), http_transport=router)
        for name, build in BUILDERS.items()
    }
    for name, app in built.items():
        router.mount(HOSTS[name], app)
    _start_lifespans(built)
    return built


def _start_lifespans(apps: dict[str, FastAPI]) -> None:
    """Start each app's lifespan in schemathesis' loop (where not running). Its plugin ends
    them all after each test, yet one service's requests call the others (the plans
    handout asks scheduling and patients), so every test starts them all again."""
    for app in apps.values():
        with asgi.get_client(app):
            pass


@pytest.fixture(scope="session")
async def fuzz_records(
    fuzz_apps: dict[str, FastAPI], fuzz_settings: PatientsSettings
) -> dict[str, Any]:
    engine = create_async_engine(fuzz_settings.async_database_url)
    signer = fuzz_apps["patients"].state.signer
    records: dict[str, Any] = {}
    async with AsyncSession(engine, expire_on_commit=False) as session:
        for role in ("admin", "therapist", "front_desk"):
            account = await make_account(session, role=role)
            token = signer.access_token(user_id=account.id, role=role, patient_id=None)
            records[role] = bearer(token)
        records["user"] = str(account.id)  # the front desk's: whose status the service asks
        records["therapist_id"] = str((await make_account(session, role="therapist")).id)
        token = signer.service_token(service="plans", lifetime=timedelta(hours=1))
        records["service"] = bearer(token)
        token = signer.service_token(service="scheduling", lifetime=timedelta(hours=1))
        records["scheduling"] = bearer(token)  # the one service that reports visits to plans
        patients = {use: await make_patient(session) for use in ("read", "archive", "account")}
        records |= {use: str(patient.id) for use, patient in patients.items()}
        records["plan"] = str((await make_plan(session, patient_id=patients["read"].id)).id)
    await engine.dispose()
    return records


@pytest.fixture(params=list(BUILDERS))
def service_schema(
    request: pytest.FixtureRequest, fuzz_apps: dict[str, FastAPI], fuzz_records: dict[str, Any]
) -> Any:
    _start_lifespans(fuzz_apps)
    app, config = fuzz_apps[request.param], _config(fuzz_records)
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("service_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32 reads `node._nodeid`, which pytest 9.2 renamed (`_id`); give it the id.
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
def test_every_answer_is_one_the_document_declares(case: Any) -> None:
    case.call_and_validate()
