"""The one migration history: it builds the schema the models describe, and unwinds cleanly."""

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ops.migrate import alembic_config
from services.common.database import metadata
from services.common.settings import to_asyncpg_url

SCHEMAS = {"patients", "plans", "scheduling"}


def _diff(sync_conn):
    context = MigrationContext.configure(
        sync_conn,
        opts={
            "include_schemas": True,
            "compare_type": True,
            "compare_server_default": True,
            "include_object": lambda obj, name, type_, reflected, compare_to: (
                type_ == "schema"
                or getattr(obj, "schema", None) in SCHEMAS
                or getattr(getattr(obj, "table", None), "schema", None) in SCHEMAS
            ),
        },
    )
    return compare_metadata(context, metadata)


async def _query(url: str, sql: str):
    engine = create_async_engine(to_asyncpg_url(url))
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).all()
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(engine):
    async with engine.connect() as conn:
        differences = await conn.run_sync(_diff)
    assert differences == [], f"autogenerate would add a migration: {differences}"


def test_one_head_and_date_prefixed_files():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        name = revision.path.rsplit("/", 1)[-1]
        assert name[:8].isdigit() and name[8] == "_", name


async def test_upgrade_from_empty_downgrade_to_base_and_up_again(empty_database):
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, "head")
    schemas = {r[0] for r in await _query(empty_database, "SELECT nspname FROM pg_namespace")}
    assert schemas >= SCHEMAS
    extensions = {r[0] for r in await _query(empty_database, "SELECT extname FROM pg_extension")}
    assert "btree_gist" in extensions

    await asyncio.to_thread(command.downgrade, config, "base")
    schemas = {r[0] for r in await _query(empty_database, "SELECT nspname FROM pg_namespace")}
    assert not schemas & SCHEMAS
    tables = await _query(
        empty_database,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_name <> 'alembic_version'",
    )
    assert tables == []

    await asyncio.to_thread(command.upgrade, config, "head")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert await _query(empty_database, "SELECT version_num FROM alembic_version") == [(head,)]
