"""Therapists for the scheduling benchmarks, made the way an admin makes them: an account
(`POST /v1/users`, role therapist) and a regular week (`PUT /v1/therapists/{id}/hours`), so the
scheduling service knows them as it knows real ones (it asks the patients service about the
account before it stores the week)."""

import asyncio
import secrets
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench.data import bearer, sign_in
from bench.stack import Stack

ADMIN = "admin@clinic.example"
TIME_ZONE = ZoneInfo("America/New_York")  # every seeded clinic's
WEEKDAYS = range(5)  # Monday to Friday


def weekdays_hours(location: str, start: str, end: str) -> list[dict[str, Any]]:
    """A week's entries: `start` to `end` at one clinic, Monday to Friday."""
    return [{"location": location, "weekday": d, "start": start, "end": end} for d in WEEKDAYS]


async def admin_token(client: httpx.AsyncClient, stack: Stack) -> str:
    return await sign_in(client, stack, ADMIN)


async def make_therapists(
    client: httpx.AsyncClient,
    stack: Stack,
    token: str,
    weeks: Sequence[list[dict[str, Any]]],
    *,
    at_once: int = 8,
) -> list[uuid.UUID]:
    """One therapist account per week given, each with that week set; their ids in order."""
    gate, run = asyncio.Semaphore(at_once), secrets.token_hex(3)

    async def one(number: int, week: list[dict[str, Any]]) -> uuid.UUID:
        async with gate:
            made = await client.post(
                stack.url("patients") + "/v1/users",
                json={
                    "email": f"bench.therapist.{run}.{number}@example.com",
                    "display_name": f"Bench Therapist {number}",
                    "role": "therapist",
                    "password": stack.password,
                },
                headers=bearer(token),
            )
            therapist_id = uuid.UUID(_field(made, 201, "id"))
            hours = await client.put(
                f"{stack.url('scheduling')}/v1/therapists/{therapist_id}/hours",
                json=week,
                headers=bearer(token),
            )
            _field(hours, 200, "therapist_id")
        return therapist_id

    return list(await asyncio.gather(*(one(n, week) for n, week in enumerate(weeks))))


def _field(response: httpx.Response, status: int, name: str) -> str:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return str(response.json()[name])


def next_weekdays(after: date, count: int) -> list[date]:
    """The first `count` weekdays (Monday to Friday) after `after`."""
    found, day = [], after
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() in WEEKDAYS:
            found.append(day)
    return found


def local_start(day: date, wall: time) -> datetime:
    """The moment the clinics' clocks read `wall` on `day`, with their offset then."""
    return datetime.combine(day, wall, tzinfo=TIME_ZONE)


def today() -> date:
    return datetime.now(TIME_ZONE).date()
