"""Alembic environment: sees every service's tables (and only it, with the tests, does)."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.sql.sqltypes import AutoString

import services.patients.models
import services.plans.models
import services.scheduling.models  # noqa: F401  (registers the tables)
from services.common.database import metadata
from services.common.settings import get_settings, to_asyncpg_url

SCHEMAS = ("patients", "plans", "scheduling")
config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return to_asyncpg_url(config.attributes.get("database_url") or get_settings().database_url)


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # Only our schemas are ours to compare; ignore anything an extension put in public.
    schema = getattr(obj, "schema", None) or getattr(getattr(obj, "table", None), "schema", None)
    return type_ == "schema" or schema in SCHEMAS


def _render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    # Write plain sa.String in migrations, not SQLModel's AutoString (no sqlmodel import there).
    if type_ == "type" and isinstance(obj, AutoString):
        collation = f", collation={obj.collation!r}" if obj.collation else ""
        return f"sa.String(length={obj.length}{collation})" if obj.length else "sa.String()"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        include_object=_include_object,
        compare_type=True,
        compare_server_default=True,
        render_item=_render_item,
    )


def _run_migrations(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_database_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    _run_migrations(connection)  # a caller (the tests) lends its own connection
else:
    asyncio.run(_run_async())
