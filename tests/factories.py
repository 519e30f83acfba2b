"""Plain async factory functions for test data. Each writes through the test's session and
commits its savepoint, so the rows are visible to the requests the test then makes."""

import uuid
from datetime import date
from functools import lru_cache
from typing import Any

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.patients.identity.passwords import hash_password
from services.patients.models import Patient, UserAccount

PASSWORD = "plantar-fascia-42"


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


async def make_patient(db: AsyncSession, **fields: Any) -> Patient:
    values: dict[str, Any] = {
        "given_name": "Maria",
        "family_name": f"Test-{uuid.uuid4().hex[:6]}",
        "birth_date": date(1979, 5, 17),
        "sex": "female",
        "home_location": "gaithersburg",
        "phone": "+13015550123",
        "diagnoses": [{"code": "G57.62", "laterality": "left"}],
    }
    patient = Patient(**(values | fields))
    db.add(patient)
    await db.commit()
    return patient


async def make_account(
    db: AsyncSession, *, role: str, patient: Patient | None = None, **fields: Any
) -> UserAccount:
    if role == "patient" and patient is None:
        patient = await make_patient(db)
    account = UserAccount(
        email=fields.pop("email", f"{role}-{uuid.uuid4().hex[:8]}@clinic.example"),
        display_name=fields.pop("display_name", f"Test {role}"),
        role=role,
        password_hash=_password_hash(),
        patient_id=patient.id if patient else None,
        **fields,
    )
    db.add(account)
    await db.commit()
    return account


def token_for(apps: dict[str, FastAPI], account: UserAccount) -> str:
    signer = apps["patients"].state.signer
    return signer.access_token(user_id=account.id, role=account.role, patient_id=account.patient_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def headers_for(
    db: AsyncSession, apps: dict[str, FastAPI], role: str, **kw: Any
) -> dict[str, str]:
    """Authorization headers of a fresh account with this role."""
    return bearer(token_for(apps, await make_account(db, role=role, **kw)))
