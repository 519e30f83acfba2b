"""Idempotent seeding: reference data always, demo staff accounts outside production only."""

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from ops import seed_data
from services.patients.identity.passwords import hash_password
from services.patients.models import UserAccount
from services.patients.settings import PatientsSettings
from services.plans.models import Exercise, Protocol
from services.scheduling.models import AppointmentType, Location


@dataclass
class SeedReport:
    demo_emails: list[str] = field(default_factory=list)
    generated_password: str | None = None  # only when it was made now; shown once
    # The stored hash of the first demo account, so a caller can tell which password opens it.
    demo_password_hash: str | None = None


async def seed(settings: PatientsSettings, *, demo_accounts: bool | None = None) -> SeedReport:
    """Add what is missing. Demo accounts default to on outside production, never in it."""
    with_demo = not settings.is_production if demo_accounts is None else demo_accounts
    if with_demo and settings.is_production:
        raise ValueError("demo accounts are never created in production")
    engine = create_async_engine(settings.async_database_url)
    try:
        async with engine.begin() as conn:
            await _insert_missing(conn, Location, seed_data.LOCATIONS, "slug")
            await _insert_missing(conn, AppointmentType, seed_data.APPOINTMENT_TYPES, "slug")
            await _insert_missing(conn, Exercise, seed_data.EXERCISES, "slug")
            await _insert_missing(conn, Protocol, await _protocols(conn), "slug")
            if not with_demo:
                return SeedReport()
            return await _seed_demo_accounts(conn, settings.demo_password)
    finally:
        await engine.dispose()


async def _insert_missing(conn: AsyncConnection, model: type, rows: list[dict], key: str) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    statement = insert(table).values([model(**row).model_dump() for row in rows])
    await conn.execute(statement.on_conflict_do_nothing(index_elements=[key]))


async def _protocols(conn: AsyncConnection) -> list[dict]:
    """The seed protocols with each exercise's slug resolved to the library's id."""
    table = Exercise.__table__  # type: ignore[attr-defined]
    ids = dict((await conn.execute(select(table.c.slug, table.c.id))).tuples().all())
    return [
        protocol
        | {"exercises": [{**e, "exercise_id": str(ids[e["slug"]])} for e in protocol["exercises"]]}
        for protocol in seed_data.PROTOCOLS
    ]


async def _seed_demo_accounts(conn: AsyncConnection, password: str | None) -> SeedReport:
    table = UserAccount.__table__  # type: ignore[attr-defined]
    emails = [a["email"] for a in seed_data.DEMO_ACCOUNTS]
    found = select(table.c.email, table.c.password_hash).where(table.c.email.in_(emails))
    stored: dict[str, str] = dict((await conn.execute(found)).tuples().all())
    missing = [a for a in seed_data.DEMO_ACCOUNTS if a["email"] not in stored]
    report = SeedReport(demo_emails=emails)
    if missing:
        if password is None:
            password = report.generated_password = secrets.token_urlsafe(12)
        password_hash = hash_password(password)
        rows = [UserAccount(**a, password_hash=password_hash).model_dump() for a in missing]
        statement = insert(table).values(rows).on_conflict_do_nothing(index_elements=["email"])
        await conn.execute(statement)
        stored |= {a["email"]: password_hash for a in missing}
    report.demo_password_hash = stored[emails[0]]
    return report
