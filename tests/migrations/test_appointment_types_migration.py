"""Migration 8c0b96cb7260 gives an already seeded evaluation its other procedure codes and
every existing appointment type version 1, and changes no other row."""

import asyncio

from alembic import command

from ops.migrate import alembic_config
from tests.migrations.raw_sql import run_sql

BEFORE, AFTER = "62ef1b9e8827", "8c0b96cb7260"

_TYPE = """
INSERT INTO scheduling.appointment_type (id, slug, name, duration_minutes, procedure_code)
VALUES (gen_random_uuid(), :slug, :slug, :minutes, :code)
"""


async def test_the_seeded_evaluation_gets_its_alternative_codes(empty_database):
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, BEFORE)
    for slug, minutes, code in (("evaluation", 60, "97162"), ("treatment", 45, "97110")):
        await run_sql(empty_database, _TYPE, slug=slug, minutes=minutes, code=code)

    await asyncio.to_thread(command.upgrade, config, AFTER)

    sql = "SELECT slug, alternative_codes, version FROM scheduling.appointment_type ORDER BY slug"
    assert await run_sql(empty_database, sql) == [
        ("evaluation", ["97161", "97163"], 1),
        ("treatment", [], 1),
    ]
    await asyncio.to_thread(command.downgrade, config, BEFORE)
