"""The `clinic` command's tests: a whole stack of real processes for the story, and a
runner that invokes the command in-process with its own config folder (`clinic`: reaching
the in-process apps with the test's rolled-back database)."""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clinic_client.cli.app import app
from clinic_client.cli.invocation import Wiring
from clinic_client.retries import NEVER
from typer.testing import CliRunner, Result

from ops.stack import Stack, running_stack
from tests.client.stack import SERVICE_URLS, ThreadBridge, transport_of
from tests.database import clone_template
from tests.factories import PASSWORD, make_account


@pytest.fixture(scope="session")
async def story_database(database_url: str, worker_id: str) -> str:
    """A database of its own on the suite's embedded PostgreSQL server, cloned from the
    migrated template: the server is already up, which saves the stack seconds."""
    return await clone_template(database_url, f"clinic_story_{worker_id}")


@pytest.fixture(scope="session")
def stack(story_database: str) -> Iterator[Stack]:
    """`ops.run` in a temp folder on free ports: migrations, seed data (the demo staff) and
    the three services as processes, stopped and the folder deleted after the session."""
    with running_stack(prefix="clinic-cli-", database_url=story_database) as running:
        yield running


@dataclass
class Clinic:
    """`clinic ...` run in-process with a config folder of its own; `wiring` reaches
    in-process apps instead of real services."""

    config_dir: Path
    wiring: Wiring | None = None

    def __call__(self, *args: str, input: str | None = None, expect: int = 0) -> Result:
        env = {"CLINIC_CONFIG_DIR": str(self.config_dir), "COLUMNS": "160", "CLINIC_PROFILE": None}
        result = CliRunner().invoke(app, list(args), input=input, env=env, obj=self.wiring)
        assert result.exit_code == expect, (
            f"clinic {' '.join(args)}: exit {result.exit_code}, not {expect}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n{result.exception!r}"
        )
        return result


@pytest.fixture
def clinic_in(tmp_path: Path) -> Clinic:
    return Clinic(config_dir=tmp_path / "config")


URLS = [
    "--url",
    SERVICE_URLS.patients,
    "--url",
    SERVICE_URLS.plans,
    "--url",
    SERVICE_URLS.scheduling,
]


@pytest.fixture
async def clinic(clinic_in: Clinic, apps, db) -> Clinic:
    """The command against the in-process apps, never retrying (a failure shows at once)."""
    loop = asyncio.get_running_loop()
    clinic_in.wiring = Wiring(
        transport=ThreadBridge(transport_of("three-urls", apps), loop), retry=NEVER
    )
    return clinic_in


async def run(clinic: Clinic, *args: str, input: str | None = None, expect: int = 0) -> Result:
    """`clinic ...` in a worker thread, while the test's event loop serves the in-process apps."""
    return await asyncio.to_thread(lambda: clinic(*args, input=input, expect=expect))


async def signed_in(clinic: Clinic, db, role: str, **account) -> str:
    """Signs a fresh account of `role` in as profile `role`; its email."""
    person = await make_account(db, role=role, **account)
    await run(clinic, "-p", role, "login", *URLS, "--email", person.email, input=PASSWORD + "\n")
    return person.email
