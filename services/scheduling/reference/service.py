"""The clinics and the kinds of visit: read by everyone, the kinds of visit edited by admins.
Functions flush; the request's session commits."""

from collections.abc import Collection, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.preconditions import update_if_version
from services.scheduling.models import AppointmentType, Location
from services.scheduling.reference.schemas import AppointmentTypeCreate, AppointmentTypeUpdate


async def list_locations(session: AsyncSession) -> Sequence[Location]:
    return (await session.exec(select(Location).order_by(Location.name))).all()


async def location_by_slug(session: AsyncSession, *, slug: str) -> Location:
    found = (await session.exec(select(Location).where(Location.slug == slug))).one_or_none()
    if found is None:
        raise NotFound(f"No clinic has the slug {slug!r}.")
    return found


async def list_appointment_types(session: AsyncSession) -> Sequence[AppointmentType]:
    statement = select(AppointmentType).order_by(
        col(AppointmentType.duration_minutes).desc(), AppointmentType.name
    )
    return (await session.exec(statement)).all()


async def appointment_type_by_slug(session: AsyncSession, *, slug: str) -> AppointmentType:
    statement = select(AppointmentType).where(AppointmentType.slug == slug)
    found = (await session.exec(statement)).one_or_none()
    if found is None:
        raise NotFound(f"No appointment type has the slug {slug!r}.")
    return found


async def create_appointment_type(
    session: AsyncSession, *, data: AppointmentTypeCreate
) -> AppointmentType:
    _check_codes(data.procedure_code, data.alternative_codes)
    taken = select(AppointmentType.id).where(AppointmentType.slug == data.slug)
    if (await session.exec(taken)).first() is not None:
        raise Conflict(f"An appointment type with the slug {data.slug!r} exists.")
    kind = AppointmentType(**data.model_dump())
    session.add(kind)
    try:
        await session.flush()
    except IntegrityError as exc:  # the slug is taken (two admins racing: one wins)
        raise Conflict(f"An appointment type with the slug {data.slug!r} exists.") from exc
    return kind


async def update_appointment_type(
    session: AsyncSession,
    *,
    slug: str,
    data: AppointmentTypeUpdate,
    expected_versions: Collection[int] | None,
) -> AppointmentType:
    """Apply the change if the type is still at one of `expected_versions` (the If-Match;
    None for `*`: at the version read here, so a change landing in between still gives 412)."""
    kind = await appointment_type_by_slug(session, slug=slug)
    changes = data.model_dump(exclude_unset=True)
    _check_codes(
        changes.get("procedure_code", kind.procedure_code),
        changes.get("alternative_codes", kind.alternative_codes),
    )
    return await update_if_version(
        session, AppointmentType, kind.id, expected_versions or kind.version, changes
    )


def _check_codes(usual: str, alternatives: Sequence[str]) -> None:
    if usual in alternatives:
        raise InvalidInput(
            f"{usual} is the usual procedure code; list only the others as alternatives.",
            field="body.alternative_codes",
        )
    if len(set(alternatives)) != len(alternatives):
        raise InvalidInput("A code is listed twice.", field="body.alternative_codes")
