"""Fetching one row by its primary key, or answering 404."""

from typing import Any, TypeVar

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import NotFound

Row = TypeVar("Row", bound=SQLModel)


async def one_or_404(
    session: AsyncSession, model: type[Row], key: Any, *, detail: str, for_update: bool = False
) -> Row:
    """The row with this primary key (locked for the transaction when for_update), or a 404
    problem with the given detail."""
    row = await session.get(model, key, with_for_update=for_update)
    if row is None:
        raise NotFound(detail)
    return row
