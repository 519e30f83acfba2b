"""How the rest of the plans service finds library entries by slug (plans of care take
exercises and protocols by slug). The library's own routes live beside this module."""

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.plans.models import Exercise, Protocol


async def exercises_by_slug(
    session: AsyncSession, slugs: Iterable[str], *, include_retired: bool = False
) -> dict[str, Exercise]:
    """The exercises with these slugs, by slug; a slug with no (live) exercise is absent."""
    statement = select(Exercise).where(col(Exercise.slug).in_(set(slugs)))
    if not include_retired:
        statement = statement.where(col(Exercise.retired_at).is_(None))
    return {e.slug: e for e in (await session.exec(statement)).all()}


async def protocol_by_slug(session: AsyncSession, slug: str) -> Protocol | None:
    return (await session.exec(select(Protocol).where(Protocol.slug == slug))).one_or_none()
