"""What the scheduling service does. Functions flush; the request's session commits."""

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import NotFound
from services.scheduling.models import AppointmentType, Location


async def list_locations(session: AsyncSession) -> Sequence[Location]:
    return (await session.exec(select(Location).order_by(Location.name))).all()


async def location_by_slug(session: AsyncSession, *, slug: str) -> Location:
    found = (await session.exec(select(Location).where(Location.slug == slug))).one_or_none()
    if found is None:
        raise NotFound(f"No clinic has the slug {slug!r}.")
    return found


async def list_appointment_types(session: AsyncSession) -> Sequence[AppointmentType]:
    statement = select(AppointmentType).order_by(
        AppointmentType.duration_minutes.desc(), AppointmentType.name
    )  # type: ignore[attr-defined]
    return (await session.exec(statement)).all()
