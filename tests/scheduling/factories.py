"""Scheduling test data: a therapist with a token, a clinic of the test's own, a week of hours
set through the API (so every test's hours passed its checks), time off and calendar feeds
written straight to the database, and a clock for the availability search."""

import secrets
import uuid
from datetime import datetime
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from services.patients.models import UserAccount
from services.scheduling.calendar.feeds import digest
from services.scheduling.models import CalendarFeed, Location, TimeOff
from tests.factories import bearer, make_account, token_for

NEW_YORK = "America/New_York"
ALL_WEEK = [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]


async def make_therapist(db: AsyncSession, **fields: Any) -> UserAccount:
    return await make_account(db, role="therapist", **fields)


async def make_clinic(db: AsyncSession, **fields: Any) -> Location:
    """A clinic open round the clock all week (unless told otherwise), in New York's time."""
    values: dict[str, Any] = {
        "slug": f"test-{uuid.uuid4().hex[:8]}",
        "name": "Test clinic",
        "street": "1 Test Street",
        "city": "Rockville",
        "state": "MD",
        "postal_code": "20850",
        "time_zone": NEW_YORK,
        "opening_hours": ALL_WEEK,
        "rooms": ["Treatment 1"],
    }
    clinic = Location(**(values | fields))
    db.add(clinic)
    await db.commit()
    return clinic


async def set_hours(api, apps, db, therapist: UserAccount, hours: list[dict[str, Any]]) -> None:
    """Store the therapist's week as an admin would, through PUT /v1/therapists/{id}/hours."""
    admin = bearer(token_for(apps, await make_account(db, role="admin")))
    response = await api.put(f"/v1/therapists/{therapist.id}/hours", json=hours, headers=admin)
    assert response.status_code == 200, response.text


async def make_time_off(
    db: AsyncSession, therapist_id: uuid.UUID | str, start: datetime, end: datetime
) -> TimeOff:
    therapist = uuid.UUID(str(therapist_id))
    away = TimeOff(
        therapist_id=therapist, starts_at=start, ends_at=end, reason="away", created_by=therapist
    )
    db.add(away)
    await db.commit()
    return away


def fix_now(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The availability search's clock reads `moment` (slots before it are not offered)."""
    monkeypatch.setattr("services.scheduling.availability.routes.utcnow", lambda: moment)


async def make_feed(db: AsyncSession, therapist_id: uuid.UUID) -> str:
    """A live calendar feed of the therapist, written straight to the database; its secret."""
    secret = secrets.token_urlsafe(32)
    db.add(
        CalendarFeed(therapist_id=therapist_id, token_hash=digest(secret), created_by=therapist_id)
    )
    await db.commit()
    return secret
