"""`python -m bench --scenario search-100k`: patient search over 100,000 generated patients.

On its own throwaway stack: COPY the generated patients straight into patients.patient and
ANALYZE it, then send a mix of searches (`bench.searchmix`) to GET /v1/patients one at a time,
so the figures are latencies, not queueing; then the same mix with 8 in flight, for
throughput; then EXPLAIN (ANALYZE, BUFFERS) of the service's search SQL.

Every search also adds its audit row (patients.audit_event) and commits in the request's
transaction: that write is inside the measured latency, as it is for a real user.
"""

import argparse
import asyncio
import itertools
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from bench import explain, people
from bench.data import FRONT_DESK, bearer, sign_in
from bench.load import Client, Result, Send, make_client, run_closed_loop
from bench.people import Person
from bench.searchmix import SearchQuery, build_queries
from bench.stack import Stack

NAME = "search-100k"
REQUEST = "GET patients /v1/patients?<name|date|phone>"
MEASURES = "search over 100k COPYed patients: latency one at a time, then 8 in flight"
SEED = 20261124
WARMUP_REQUESTS = 30
THROUGHPUT_CONCURRENCY = 8
PAGE_SIZE = 50  # the route's default limit: the service asks for 51 rows


@dataclass(frozen=True)
class Sample:
    """One search: what was asked, its latency (None when it failed outright) and what came back."""

    query: SearchQuery
    seconds: float | None
    status: int | None
    error: str | None
    returned: int


@dataclass(frozen=True)
class Loaded:
    generated: int
    in_table: int
    seconds: float
    server_version: str


@dataclass(frozen=True)
class SearchRun:
    loaded: Loaded
    requests: int
    samples: list[Sample]
    throughput: Result
    plans: list[explain.Plan]


async def load_patients(
    stack: Stack, count: int, rng: random.Random
) -> tuple[list[Person], Loaded]:
    started = time.monotonic()
    persons, records = people.generate(count, rng)
    in_table, version = await people.load(stack.database_dsn(), records)
    return persons, Loaded(count, in_table, time.monotonic() - started, version)


def _returned(body: bytes) -> int:
    try:
        return len(json.loads(body)["items"])
    except (ValueError, KeyError, TypeError):
        return 0


async def search_once(client: Client, url: str, token: str, query: SearchQuery) -> Sample:
    started = time.perf_counter()
    try:
        response = await client.get(url, params=query.params, headers=bearer(token))
    except (httpx.HTTPError, OSError) as exc:
        return Sample(query, None, None, type(exc).__name__, 0)
    elapsed = time.perf_counter() - started
    ok = response.status_code == 200
    return Sample(
        query, elapsed, response.status_code, None, _returned(response.content) if ok else 0
    )


async def one_at_a_time(
    client: Client, url: str, token: str, queries: Sequence[SearchQuery]
) -> list[Sample]:
    return [await search_once(client, url, token, q) for q in queries]


def cycling(url: str, token: str, queries: Sequence[SearchQuery]) -> Send:
    """A closed-loop request: the next search of the mix, round and round."""
    mix, headers = itertools.cycle(queries), bearer(token)
    return lambda client: client.get(url, params=next(mix).params, headers=headers)


async def throughput(
    url: str, token: str, queries: Sequence[SearchQuery], args: argparse.Namespace
) -> Result:
    send = cycling(url, token, queries)
    c = THROUGHPUT_CONCURRENCY
    async with make_client(c, args.client) as client:
        if args.warmup:
            await run_closed_loop("warm-up", client, send, seconds=args.warmup, concurrency=c)
        return await run_closed_loop(NAME, client, send, seconds=args.seconds, concurrency=c)


async def front_desk_token(stack: Stack) -> str:
    async with make_client(2) as client:
        return await sign_in(client, stack, FRONT_DESK)


def explain_cases(persons: Sequence[Person], queries: Sequence[SearchQuery]) -> list[explain.Case]:
    """A 1-letter prefix; 3-letter ones that match given names early in family-name order (mar),
    only family names late in it (smi), and few rows (zun); a phone. Each `auto` plan is primed
    with five searches of the same shape from the mix."""
    active = {"status": "active"}
    names = [active | {"name": q.params["name"]} for q in queries if q.kind.startswith("name-")]
    phones = tuple(active | {"phone": p.phone} for p in persons[:5])

    def by_name(prefix: str) -> explain.Case:
        return explain.Case(f"name={prefix}", active | {"name": prefix}, tuple(names[:5]))

    phone = persons[-1].phone
    return [
        by_name("s"),
        by_name("mar"),
        by_name("smi"),
        by_name("zun"),
        explain.Case(f"phone={phone}", active | {"phone": phone}, phones),
    ]


async def run(stack: Stack, args: argparse.Namespace) -> SearchRun:
    rng = random.Random(SEED)
    print(f"Generating and COPYing {args.search_patients:,} patients...", flush=True)
    persons, loaded = await load_patients(stack, args.search_patients, rng)
    print(f"  {loaded.in_table:,} patients in the table ({loaded.seconds:.1f} s)", flush=True)
    queries = build_queries(persons, args.search_requests, rng)
    url, token = stack.url("patients") + "/v1/patients", await front_desk_token(stack)
    print(
        f"Searching one at a time: {WARMUP_REQUESTS} warm-up, {len(queries)} measured...",
        flush=True,
    )
    async with make_client(1, args.client) as client:
        await one_at_a_time(client, url, token, build_queries(persons, WARMUP_REQUESTS, rng))
        samples = await one_at_a_time(client, url, token, queries)
    print(
        f"Searching with {THROUGHPUT_CONCURRENCY} in flight for {args.seconds:g} s...", flush=True
    )
    rate = await throughput(url, token, queries, args)
    plans = await explain.explain_all(stack.database_dsn(), explain_cases(persons, queries))
    return SearchRun(loaded, len(queries), samples, rate, plans)


def run_sync(stack: Stack, args: argparse.Namespace) -> SearchRun:
    return asyncio.run(run(stack, args))
