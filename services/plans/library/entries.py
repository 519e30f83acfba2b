"""What exercises and protocols share as library entries: each is named by a slug that
adding it claims, once, and each change is audited under that slug."""

from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.audit import Origin
from services.common.auth import Caller
from services.common.errors import Conflict
from services.plans import audit
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


async def record_change(
    session: AsyncSession,
    action: str,
    entry: Entry,
    *,
    caller: Caller,
    origin: Origin,
    **detail: Any,
) -> None:
    """The audit row of a library change: the entry (`exercise` or `protocol`) and its slug."""
    await audit.record(
        session,
        action=action,
        caller=caller,
        origin=origin,
        entity=(str(entry.__tablename__), entry.id),
        detail={"slug": entry.slug, **detail},
    )
