"""The test database: one embedded server per run, one migrated template, one copy per worker.

The controller process starts the server (or uses TEST_DATABASE_URL), migrates and seeds a
template database once; each xdist worker clones it (CREATE DATABASE ... TEMPLATE), which
takes milliseconds. A watchdog stops the server and deletes its folder even if the run is
killed, so no server is left behind.
"""

import asyncio
import os
import shutil
import socket
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from ops import embedded_db
from ops.migrate import upgrade_to_head
from ops.seed import seed
from services.common.settings import to_asyncpg_url
from services.patients.settings import PatientsSettings

TEMPLATE = "clinic_test_template"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestServer:
    """The PostgreSQL server this run uses, and how to get a database on it."""

    def __init__(self) -> None:
        self.data_dir: Path | None = None
        given = os.environ.get("TEST_DATABASE_URL")
        if given:
            self.base_url = to_asyncpg_url(given)
            return
        self.data_dir = Path(tempfile.mkdtemp(prefix="clinic-test-pg-"))
        server = embedded_db.start(self.data_dir, port=_free_port())
        embedded_db.spawn_watchdog(self.data_dir, owner_pid=os.getpid(), delete=True)
        self.base_url = server.url()

    def url(self, database: str) -> str:
        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    def build_template(self) -> None:
        asyncio.run(_recreate(self.base_url, TEMPLATE, template=None))
        upgrade_to_head(self.url(TEMPLATE))
        asyncio.run(seed(PatientsSettings(database_url=self.url(TEMPLATE)), demo_accounts=False))

    def stop(self) -> None:
        if self.data_dir is not None:
            embedded_db.stop(self.data_dir)
            shutil.rmtree(self.data_dir, ignore_errors=True)


async def clone_template(base_url: str, name: str) -> str:
    await _recreate(base_url, name, template=TEMPLATE)
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def _recreate(base_url: str, name: str, *, template: str | None) -> None:
    admin = make_url(base_url).set(database="postgres").render_as_string(hide_password=False)
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            clause = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    finally:
        await engine.dispose()


async def create_empty(base_url: str, name: str) -> str:
    await _recreate(base_url, name, template=None)
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def drop(base_url: str, name: str) -> None:
    admin = make_url(base_url).set(database="postgres").render_as_string(hide_password=False)
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()
