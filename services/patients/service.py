"""What the patients service does. Functions flush; the request's session commits."""

import uuid

from sqlalchemy import func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.common.auth import Caller
from services.common.errors import InvalidInput, NotFound, Unauthorized
from services.common.pagination import after, decode_cursor, page_of
from services.patients.clients import SchedulingClient
from services.patients.models import Patient, UserAccount
from services.patients.passwords import verify_password
from services.patients.schemas import Diagnosis, PatientCreate, laterality_of

SIGN_IN_FAILED = "The email or password is wrong, or the account is disabled."


async def authenticate(session: AsyncSession, *, email: str, password: str) -> UserAccount:
    """The active account with these credentials; one answer for every way it can fail."""
    account = await _account_by_email(session, email)
    valid = await run_in_threadpool(
        verify_password, account.password_hash if account else None, password
    )
    if account is None or not valid or account.disabled_at is not None:
        raise Unauthorized(SIGN_IN_FAILED)
    return account


async def _account_by_email(session: AsyncSession, email: str) -> UserAccount | None:
    statement = select(UserAccount).where(UserAccount.email == email.strip().lower())
    return (await session.exec(statement)).one_or_none()


async def active_account(session: AsyncSession, *, caller: Caller) -> UserAccount:
    account = await session.get(UserAccount, caller.user_id)
    if account is None or account.disabled_at is not None:
        raise Unauthorized("This account no longer exists or has been disabled.")
    return account


async def register_patient(
    session: AsyncSession, *, data: PatientCreate, scheduling: SchedulingClient, caller: Caller
) -> Patient:
    if not await scheduling.location_exists(data.home_location, token=caller.token):
        raise InvalidInput(
            f"No clinic has the slug {data.home_location!r}.", field="body.home_location"
        )
    diagnoses = [
        Diagnosis(code=d.code, laterality=laterality_of(d.code), description=d.description)
        for d in data.diagnoses
    ]
    patient = Patient(
        **data.model_dump(exclude={"diagnoses", "email"}),
        email=str(data.email).lower() if data.email else None,
        diagnoses=[d.model_dump() for d in diagnoses],
    )
    session.add(patient)
    await session.flush()
    return patient


async def patient_for(session: AsyncSession, *, patient_id: uuid.UUID, caller: Caller) -> Patient:
    """The patient if the caller may see it; 404 otherwise, so ids cannot be probed."""
    if not caller.is_staff and caller.patient_id != patient_id:
        raise NotFound("No patient with this id.")
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("No patient with this id.")
    return patient


async def search_patients(
    session: AsyncSession, *, name: str | None, status: str, limit: int, cursor: str | None
) -> tuple[list[Patient], str | None]:
    order = (func.lower(Patient.family_name), func.lower(Patient.given_name), Patient.id)
    statement = select(Patient).where(Patient.status == status)
    if name:
        prefix = (
            name.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        )
        statement = statement.where(
            or_(
                func.lower(Patient.family_name).like(prefix),
                func.lower(Patient.given_name).like(prefix),
            )
        )
    if cursor:
        statement = statement.where(after(order, decode_cursor(cursor, [str, str, uuid.UUID])))
    rows = (await session.exec(statement.order_by(*order).limit(limit + 1))).all()
    return page_of(rows, limit, lambda p: (p.family_name.lower(), p.given_name.lower(), p.id))
