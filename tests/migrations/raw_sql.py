"""Plain SQL against a database at some migration: rows a test lays down before an upgrade,
and what it reads back after."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.settings import to_asyncpg_url


async def run_sql(url: str, sql: str, **params: object) -> list:
    """Run one statement in its own committed transaction; its rows, if it returns any."""
    engine = create_async_engine(to_asyncpg_url(url))
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return result.all() if result.returns_rows else []
    finally:
        await engine.dispose()
