"""Sign-in and the made-up patients the scenarios read, created through the public API."""

import asyncio
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from bench.stack import Stack

FRONT_DESK = "frontdesk@clinic.example"
THERAPIST = "therapist@clinic.example"
LOCATIONS = ("gaithersburg", "frederick", "columbia")
GIVEN_NAMES = (
    "Ada", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal",
    "Keiko", "Luis", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
)  # fmt: skip
FAMILY_NAMES = (
    "Anderson", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova",
    "Johnson", "Kim", "Lopez", "Martin", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi",
    "Smith", "Turner", "Usman", "Varga", "Walker", "Xu", "Young", "Zimmer",
)  # fmt: skip
SEARCH_PREFIXES = tuple(sorted({name[:2] for name in FAMILY_NAMES + GIVEN_NAMES}))


@dataclass(frozen=True)
class Tokens:
    front_desk: str
    therapist: str


async def sign_in(client: httpx.AsyncClient, stack: Stack, email: str) -> str:
    """A bearer token for a demo account (POST /v1/auth/token, form fields)."""
    response = await client.post(
        stack.url("patients") + "/v1/auth/token",
        data={"username": email, "password": stack.password},
    )
    if response.status_code != 200:
        raise RuntimeError(f"signing in as {email}: {response.status_code} {response.text[:300]}")
    return str(response.json()["access_token"])


async def sign_in_all(client: httpx.AsyncClient, stack: Stack) -> Tokens:
    front_desk = await sign_in(client, stack, FRONT_DESK)
    return Tokens(front_desk=front_desk, therapist=await sign_in(client, stack, THERAPIST))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_patient(rng: random.Random) -> dict[str, Any]:
    """A valid registration body: US numbers in the fictional 555-0100..0199 block."""
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    return {
        "given_name": rng.choice(GIVEN_NAMES),
        "family_name": rng.choice(FAMILY_NAMES),
        "birth_date": birth.isoformat(),
        "sex": rng.choice(("female", "male")),
        "home_location": rng.choice(LOCATIONS),
        "phone": f"+1301555{rng.randrange(100, 200):04d}",
    }


async def create_patients(
    client: httpx.AsyncClient, stack: Stack, token: str, count: int, rng: random.Random
) -> list[str]:
    """Register `count` patients, eight at a time; their ids. Fails on any refusal."""
    gate = asyncio.Semaphore(8)

    async def one() -> str:
        async with gate:
            response = await client.post(
                stack.url("patients") + "/v1/patients", json=new_patient(rng), headers=bearer(token)
            )
        if response.status_code != 201:
            raise RuntimeError(f"creating a patient: {response.status_code} {response.text[:300]}")
        return str(response.json()["id"])

    return list(await asyncio.gather(*(one() for _ in range(count))))
