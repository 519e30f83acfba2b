"""Migration 08bb3b6620f7 gives exercises seeded before it their cues and dosage ranges
(seeding never updates a row), and lets a hold be 0 seconds."""

import asyncio
import uuid

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from ops.migrate import alembic_config
from tests.migrations.raw_sql import run_sql

BEFORE, FIX = "3e5f7a3e6ad7", "08bb3b6620f7"

# A row as the seed wrote it before the fix: one number per dosage, no cues.
_OLD_ROW = """
INSERT INTO plans.exercise (id, slug, name, purpose, instructions, body_region, setting,
    setup, default_sets, default_reps, default_hold_seconds, default_side, version, created_at)
VALUES (:id, :slug, 'Old', 'p', 'i', 'foot', 'both', NULL, 1, 15, 5, 'each', 1, now())
"""
_READ = """
SELECT default_sets, default_reps, default_reps_max, default_hold_seconds,
    default_hold_seconds_max, cardinality(cues), version FROM plans.exercise WHERE slug = :slug
"""


async def test_seeded_exercises_get_their_ranges_and_cues(empty_database):
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, BEFORE)
    for slug in ("toe-spreads", "gastroc-soleus-stretch", "toe-press-downs", "own-exercise"):
        await run_sql(empty_database, _OLD_ROW, id=uuid.uuid4(), slug=slug)

    await asyncio.to_thread(command.upgrade, config, FIX)

    async def read(slug: str) -> tuple:
        return tuple((await run_sql(empty_database, _READ, slug=slug))[0])

    assert await read("toe-spreads") == (None, 10, 15, 3, 5, 4, 2)
    assert await read("gastroc-soleus-stretch") == (None, 2, 3, 20, 30, 5, 2)
    assert (await read("toe-press-downs"))[5:] == (4, 2)  # cues only: the therapist doses it
    assert await read("own-exercise") == (1, 15, None, 5, None, 0, 1)  # not the seed's: kept
    await run_sql(empty_database, _OLD_ROW.replace("15, 5", "15, 0"), id=uuid.uuid4(), slug="z")

    await asyncio.to_thread(command.downgrade, config, BEFORE)

    assert (await read("z"))[3] is None  # a hold of 0 is no hold to the old check
    assert (await read("toe-spreads"))[:5] == (None, 10, 15, 3, 5)  # the correction stays
    with pytest.raises(IntegrityError):
        await run_sql(empty_database, _OLD_ROW.replace("15, 5", "15, 0"), id=uuid.uuid4(), slug="y")
