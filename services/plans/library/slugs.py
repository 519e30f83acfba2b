"""Exercises and protocols are named by their slug: adding one claims the slug, once."""

from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import Conflict
from services.plans.models import Exercise, Protocol

Entry = TypeVar("Entry", Exercise, Protocol)


async def insert_claiming_slug(
    session: AsyncSession, model: type[Entry], values: dict[str, Any], *, taken: str
) -> Entry:
    """Insert unless the slug is taken (409 saying `taken`). ON CONFLICT, not a check first:
    of two adds racing with one slug, the second finds the first's row instead of failing."""
    row = model(**values).model_dump()
    statement = (
        insert(model).values(row).on_conflict_do_nothing(index_elements=["slug"]).returning(model)
    )
    added = (await session.exec(statement)).scalar_one_or_none()  # type: ignore[call-overload]
    if added is None:
        raise Conflict(taken)
    return added
