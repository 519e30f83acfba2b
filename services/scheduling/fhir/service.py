"""Reading appointments as FHIR: the JSON reads (their access rules, their audit rows under
FHIR's own actions), turned into resources.

One appointment as at GET /v1/appointments/{id}: staff by their reach, a patient their own
(another patient's answers 404, as an unknown id). A patient's own list as at
GET /v1/me/appointments: the visits to come, a page at a time, each page a searchset Bundle
whose `next` link carries the cursor.
"""

from datetime import datetime
from urllib.parse import urlencode

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.fhir import Resource
from services.scheduling import audit
from services.scheduling.appointments import reads
from services.scheduling.fhir.resources import Names, appointment_resource, searchset
from services.scheduling.models import Appointment, AppointmentType, Location

ACTION = "appointment.fhir.read"
MY_ACTION = "me.appointments.fhir.read"
MY_PATH = "/v1/me/appointments/fhir"


async def names(session: AsyncSession) -> Names:
    """Every appointment type's and clinic's name: a handful of rows each."""
    types = (await session.exec(select(AppointmentType.slug, AppointmentType.name))).all()
    clinics = (await session.exec(select(Location.slug, Location.name))).all()
    return Names(types=dict(types), clinics=dict(clinics))


async def read_appointment_resource(
    session: AsyncSession, appointment: Appointment, *, caller: Caller, origin: audit.Origin
) -> Resource:
    """The appointment the caller may see (`access.reachable_appointment`), audited."""
    visit = await reads.read_appointment(
        session, appointment, caller=caller, origin=origin, action=ACTION
    )
    return appointment_resource(visit, await names(session))


async def my_appointments_bundle(
    session: AsyncSession,
    *,
    caller: Caller,
    origin: audit.Origin,
    now: datetime,
    limit: int,
    cursor: str | None,
) -> Resource:
    visits, next_cursor = await reads.my_appointments(
        session, caller=caller, origin=origin, now=now, limit=limit, cursor=cursor, action=MY_ACTION
    )
    known = await names(session)
    next_page = None if next_cursor is None else _page(limit, next_cursor)
    return searchset(
        [appointment_resource(visit, known) for visit in visits],
        this_page=_page(limit, cursor),
        next_page=next_page,
    )


def _page(limit: int, cursor: str | None) -> str:
    """A page's address, relative to the service's root (the proxy serves it there too)."""
    query = {"limit": limit} | ({"cursor": cursor} if cursor else {})
    return f"{MY_PATH}?{urlencode(query)}"
