"""Accounts: staff created by an admin, patient logins created by the front desk,
password changes, disabling. Functions flush; the request's session commits."""

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.common.audit import NO_ORIGIN
from services.common.auth import Caller
from services.common.columns import utcnow
from services.common.database import OwnTransaction
from services.common.errors import Conflict, InvalidInput, NotFound, Unauthorized
from services.common.lookup import one_or_404
from services.common.pagination import after, decode_cursor, page_of
from services.patients import audit
from services.patients.identity import signin, throttle
from services.patients.identity.passwords import check_new_password, hash_password
from services.patients.identity.schemas import (
    PasswordChange,
    PatientAccountCreate,
    StaffAccountCreate,
)
from services.patients.identity.service_identity import forget_account
from services.patients.models import Patient, UserAccount


async def active_account(session: AsyncSession, *, caller: Caller) -> UserAccount:
    account = await session.get(UserAccount, caller.user_id)
    if account is None or account.disabled_at is not None:
        raise Unauthorized("This account no longer exists or has been disabled.")
    return account


async def _add_account(session: AsyncSession, account: UserAccount) -> UserAccount:
    session.add(account)
    try:
        await session.flush()
    except IntegrityError as exc:  # two clerks racing for the same email: one wins
        raise Conflict("An account with this email already exists.") from exc
    return account


async def _email_is_free(session: AsyncSession, email: str) -> None:
    taken = (await session.exec(select(UserAccount.id).where(UserAccount.email == email))).first()
    if taken is not None:
        raise Conflict("An account with this email already exists.")


async def _open_account(
    session: AsyncSession, *, email: str, password: str, **fields: Any
) -> UserAccount:
    """Check the password rules and that the email is free, hash, and save (flushed)."""
    check_new_password(password, email=email)
    await _email_is_free(session, email)
    password_hash = await run_in_threadpool(hash_password, password)
    return await _add_account(
        session, UserAccount(email=email, password_hash=password_hash, **fields)
    )


async def create_staff_account(
    session: AsyncSession, *, data: StaffAccountCreate, **actor: Any
) -> UserAccount:
    """A staff account; actor is the admin's caller and origin, or BY_OPERATOR for the CLI."""
    account = await _open_account(
        session,
        email=str(data.email).lower(),
        password=data.password,
        display_name=data.display_name,
        role=data.role,
    )
    detail = {**actor.pop("detail", {}), "role": data.role}
    await audit.record(
        session, action="user.create", entity=("user", account.id), detail=detail, **actor
    )
    return account


async def create_patient_account(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    data: PatientAccountCreate,
    caller: Caller,
    origin: audit.Origin,
) -> UserAccount:
    patient = await lock_patient(session, patient_id=patient_id)
    if patient is None:
        raise NotFound("No patient with this id.")
    if patient.status != "active":
        raise Conflict("The patient is archived; an archived patient gets no login.")
    existing = select(UserAccount.id).where(UserAccount.patient_id == patient_id)
    if (await session.exec(existing)).first() is not None:
        raise Conflict("This patient already has a login.")
    account = await _open_account(
        session,
        email=str(data.email).lower(),
        password=data.password,
        display_name=patient.preferred_name or patient.given_name,
        role="patient",
        patient_id=patient_id,
    )
    await audit.record(
        session,
        action="account.create",
        caller=caller,
        origin=origin,
        patient_id=patient_id,
        entity=("user", account.id),
    )
    return account


TOO_MANY_GUESSES = "Too many wrong passwords; wait before trying again."


async def change_password(
    session: AsyncSession,
    own_transaction: OwnTransaction,
    *,
    caller: Caller,
    data: PasswordChange,
    origin: audit.Origin,
) -> InvalidInput | None:
    """Change the caller's password, or the problem to answer when the current one is wrong:
    returned, not raised, so the request commits its audit row. The check is throttled with
    sign-in's counts, so a stolen token cannot guess the password. The new password is judged
    first: the attempt's count commits at once, and a right current password must not be
    left counted by a refusal after it."""
    account = await active_account(session, caller=caller)
    check_new_password(data.new_password, email=account.email, field="body.new_password")
    refused = audit.event(
        action="user.password_change", outcome="denied", caller=caller, origin=origin
    )
    keys = await signin.count_attempt(
        own_transaction,
        email=account.email,
        origin=origin,
        refused=refused,
        refusal=TOO_MANY_GUESSES,
    )
    if not await signin.password_matches(account.password_hash, data.current_password):
        await audit.record(
            session, action="user.password_change", outcome="failure", caller=caller, origin=origin
        )
        return InvalidInput("The current password is wrong.", field="body.current_password")
    account.password_hash = await run_in_threadpool(hash_password, data.new_password)
    account.password_changed_at = utcnow()
    session.add(account)
    await signin.end_sessions(session, account)
    await audit.record(session, action="user.password_change", caller=caller, origin=origin)
    # Last: the address's count stays locked from here only until the commit right after.
    await throttle.forgive(session, keys)
    return None


async def set_disabled(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    disabled: bool,
    caller: Caller,
    origin: audit.Origin,
) -> UserAccount:
    if user_id == caller.user_id:
        raise Conflict("You cannot disable or enable your own account.")
    account = await account_by_id(session, user_id=user_id)
    await set_account_enabled(session, account, enabled=not disabled, caller=caller, origin=origin)
    return account


async def lock_patient(session: AsyncSession, *, patient_id: uuid.UUID) -> Patient | None:
    """The patient, re-read and locked until the transaction ends (SELECT ... FOR UPDATE).

    Archiving and creating or enabling a login all take this lock first, so they run one
    after the other: whichever comes second sees what the first committed. Without it the
    archive cannot see a login still being created, and leaves it enabled."""
    return await session.get(Patient, patient_id, with_for_update=True, populate_existing=True)


async def set_account_enabled(
    session: AsyncSession, account: UserAccount, *, enabled: bool, **actor: Any
) -> None:
    """Enable or disable (ending every session) an account, and audit it.
    An archived patient's login stays disabled (409)."""
    if enabled and account.patient_id is not None:
        patient = await lock_patient(session, patient_id=account.patient_id)
        if patient is None or patient.status != "active":
            raise Conflict("The patient is archived; an archived patient's login stays disabled.")
    account.disabled_at = None if enabled else (account.disabled_at or utcnow())
    session.add(account)
    forget_account(session, user_id=account.id)
    if not enabled:
        await signin.end_sessions(session, account)
    action = "user.enable" if enabled else "user.disable"
    await audit.record(session, action=action, entity=("user", account.id), **actor)


async def account_by_id(session: AsyncSession, *, user_id: uuid.UUID) -> UserAccount:
    return await one_or_404(session, UserAccount, user_id, detail="No account with this id.")


async def list_accounts(
    session: AsyncSession, *, role: str | None, limit: int, cursor: str | None
) -> tuple[list[UserAccount], str | None]:
    order = (col(UserAccount.email), col(UserAccount.id))
    statement = select(UserAccount)
    if role:
        statement = statement.where(UserAccount.role == role)
    if cursor:
        statement = statement.where(after(order, decode_cursor(cursor, [str, uuid.UUID])))
    rows = (await session.exec(statement.order_by(*order).limit(limit + 1))).all()
    return page_of(rows, limit, lambda a: (a.email, a.id))


async def disable_patient_login(session: AsyncSession, *, patient_id: uuid.UUID) -> bool:
    """When a patient is archived their login goes too; True if there was an active one."""
    statement = select(UserAccount).where(
        UserAccount.patient_id == patient_id, col(UserAccount.disabled_at).is_(None)
    )
    account = (await session.exec(statement)).one_or_none()
    if account is None:
        return False
    account.disabled_at = utcnow()
    session.add(account)
    forget_account(session, user_id=account.id)
    await signin.end_sessions(session, account)
    return True


# -- for the operator's CLI (no caller: audited as done by clinic-admin) ----------------------

BY_OPERATOR: dict[str, Any] = {
    "origin": NO_ORIGIN,
    "detail": {"by": "clinic-admin"},
}


async def account_by_email(session: AsyncSession, *, email: str) -> UserAccount:
    statement = select(UserAccount).where(UserAccount.email == email.strip().lower())
    account = (await session.exec(statement)).one_or_none()
    if account is None:
        raise NotFound(f"No account with the email {email!r}.")
    return account


async def reset_password(session: AsyncSession, *, email: str, new_password: str) -> UserAccount:
    """Set a password without knowing the old one; also lifts a sign-in lock."""
    account = await account_by_email(session, email=email)
    check_new_password(new_password, email=account.email, field="password")
    account.password_hash = hash_password(new_password)
    account.password_changed_at = utcnow()
    session.add(account)
    await signin.end_sessions(session, account)
    await signin.lift_lock(session, email=account.email)
    await audit.record(
        session, action="user.password_reset", entity=("user", account.id), **BY_OPERATOR
    )
    return account


async def set_disabled_by_email(
    session: AsyncSession, *, email: str, disabled: bool
) -> UserAccount:
    account = await account_by_email(session, email=email)
    await set_account_enabled(session, account, enabled=not disabled, **BY_OPERATOR)
    return account


async def unlock(session: AsyncSession, *, email: str) -> bool:
    """Lift a sign-in lock on an account; False when there was none."""
    account = await account_by_email(session, email=email)
    lifted = await signin.lift_lock(session, email=account.email)
    if lifted:
        await audit.record(
            session, action="user.unlock", entity=("user", account.id), **BY_OPERATOR
        )
    return lifted
