"""The benchmark scenarios: each names one request shape that the workers repeat."""

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.data import SEARCH_PREFIXES, Tokens, bearer, new_patient
from bench.load import Answer, Client, Send
from bench.stack import Stack


@dataclass(frozen=True)
class Fixture:
    """What scenarios may use: the stack, tokens, the ids of patients made beforehand."""

    stack: Stack
    tokens: Tokens
    patient_ids: list[str]
    rng: random.Random


@dataclass(frozen=True)
class Scenario:
    name: str
    request: str
    measures: str
    build: Callable[[Fixture], Send]


def _healthz(f: Fixture) -> Send:
    url = f.stack.url("plans") + "/healthz"
    return lambda client: client.get(url)


def _exercises(f: Fixture) -> Send:
    url, headers = f.stack.url("plans") + "/v1/exercises", bearer(f.tokens.therapist)
    return lambda client: client.get(url, params={"limit": 10}, headers=headers)


def _patient_by_id(f: Fixture) -> Send:
    base, headers = f.stack.url("patients") + "/v1/patients/", bearer(f.tokens.front_desk)

    def send(client: Client) -> Awaitable[Answer]:
        return client.get(base + f.rng.choice(f.patient_ids), headers=headers)

    return send


def _patient_search(f: Fixture) -> Send:
    url, headers = f.stack.url("patients") + "/v1/patients", bearer(f.tokens.front_desk)

    def send(client: Client) -> Awaitable[Answer]:
        params = {"name": f.rng.choice(SEARCH_PREFIXES), "limit": 20}
        return client.get(url, params=params, headers=headers)

    return send


def _patient_create(f: Fixture) -> Send:
    url, headers = f.stack.url("patients") + "/v1/patients", bearer(f.tokens.front_desk)
    return lambda client: client.post(url, json=new_patient(f.rng), headers=headers)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("healthz", "GET plans /healthz", "bare framework floor", _healthz),
    Scenario(
        "exercises",
        "GET plans /v1/exercises?limit=10",
        "token check + DB read (ORM)",
        _exercises,
    ),
    Scenario("patient-read", "GET patients /v1/patients/{id}", "primary-key read", _patient_by_id),
    Scenario(
        "patient-search",
        "GET patients /v1/patients?name=<prefix>&limit=20",
        "name-prefix search",
        _patient_search,
    ),
    Scenario(
        "patient-create",
        "POST patients /v1/patients",
        "write + HTTP hop to scheduling",
        _patient_create,
    ),
)


def by_name(name: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    known = ", ".join(s.name for s in SCENARIOS)
    raise SystemExit(f"no scenario {name!r}; known: {known}")
