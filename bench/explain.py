"""EXPLAIN (ANALYZE, BUFFERS) of the search SQL the patients service sends.

The SQL is compiled from the service's own query builder (`search_statement`, the same ORDER BY
and LIMIT), with the asyncpg dialect, so it is the statement the service prepares, bind parameters
included. The service's driver keeps prepared statements per connection; PostgreSQL plans the
first five executions of one with the values given (custom plans) and may then switch to one
generic plan for any value. So each case is explained three ways: custom (the values known),
generic (forced), and auto after five executions of that shape (what a pooled connection of the
service actually runs once warm).
"""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.dialects import postgresql

from services.patients.record.search import PatientSearch, search_statement

MODES = ("custom", "generic", "auto")
_PLAN_CACHE_MODE = {
    "custom": "force_custom_plan",
    "generic": "force_generic_plan",
    "auto": "auto",
}


@dataclass(frozen=True)
class Case:
    """A search to explain, as the route passes it on: filters and the page size + 1."""

    label: str
    filters: dict[str, Any]
    primers: tuple[dict[str, Any], ...]  # five searches of the same shape run before `auto`
    limit: int = 51


@dataclass(frozen=True)
class Plan:
    case: str
    mode: str
    summary: dict[str, Any]
    text: str


def service_sql(filters: dict[str, Any], limit: int) -> tuple[str, list[Any]]:
    """The statement and bind values `search_patients` sends for these filters (no cursor)."""
    statement = search_statement(PatientSearch(**filters), after_key=None, limit=limit)
    compiled = statement.compile(dialect=postgresql.asyncpg.dialect())  # type: ignore[attr-defined]
    params = compiled.construct_params()
    return str(compiled), [params[name] for name in compiled.positiontup or []]


def _literal(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _execute_sql(name: str, values: Sequence[Any]) -> str:
    return f"EXECUTE {name}(" + ", ".join(_literal(v) for v in values) + ")"


async def _explain(
    conn: asyncpg.Connection, name: str, values: Sequence[Any]
) -> tuple[dict[str, Any], str]:
    options, execute = "ANALYZE, BUFFERS", _execute_sql(name, values)
    raw = await conn.fetchval(f"EXPLAIN ({options}, FORMAT JSON) {execute}")
    doc = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    rows = await conn.fetch(f"EXPLAIN ({options}) {execute}")
    return doc, "\n".join(r[0] for r in rows)


async def explain_prepared(
    conn: asyncpg.Connection, name: str, sql: str, values: Sequence[Any], mode: str
) -> tuple[dict[str, Any], str]:
    """EXPLAIN (ANALYZE, BUFFERS) of `sql` as a fresh prepared statement run with `values`,
    with a custom or a generic plan (`mode`); its summary and text."""
    await conn.execute(f"SET plan_cache_mode = {_PLAN_CACHE_MODE[mode]}")
    await conn.execute(f"PREPARE {name} AS {sql}")
    try:
        return await _explain(conn, name, values)
    finally:
        await conn.execute(f"DEALLOCATE {name}")


async def _prepare(conn: asyncpg.Connection, name: str, case: Case, mode: str) -> None:
    """A fresh SQL-level prepared statement (its own name: no plan cache history)."""
    await conn.execute(f"SET plan_cache_mode = {_PLAN_CACHE_MODE[mode]}")
    await conn.execute(f"PREPARE {name} AS {service_sql(case.filters, case.limit)[0]}")
    if mode == "auto":
        for filters in case.primers:
            await conn.execute(_execute_sql(name, service_sql(filters, case.limit)[1]))


async def explain_case(conn: asyncpg.Connection, number: int, case: Case, mode: str) -> Plan:
    name = f"bench_search_{number}"
    await _prepare(conn, name, case, mode)
    doc, text = await _explain(conn, name, service_sql(case.filters, case.limit)[1])
    return Plan(case.label, mode, summarize(doc), text)


async def explain_all(dsn: str, cases: Sequence[Case]) -> list[Plan]:
    conn = await asyncpg.connect(dsn)
    pairs = [(case, mode) for case in cases for mode in MODES]
    try:
        await explain_case(conn, len(pairs), cases[0], "custom")  # unrecorded: warms the caches
        return [await explain_case(conn, i, case, mode) for i, (case, mode) in enumerate(pairs)]
    finally:
        await conn.close()


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _shape(node: dict[str, Any]) -> str:
    """Node types from the top down, with each scan's index: Limit > Sort > Bitmap Heap Scan..."""
    parts = []
    for n in _nodes(node):
        name = n["Node Type"]
        if n.get("Index Name"):
            name += f" ({n['Index Name']})"
        parts.append(name)
    return " > ".join(parts)


def summarize(doc: dict[str, Any]) -> dict[str, Any]:
    top = doc["Plan"]
    text = json.dumps(top)
    return {
        "shape": _shape(top),
        "generic": "$2" in text or "$1" in text,
        "rows": top.get("Actual Rows"),
        "hit": top.get("Shared Hit Blocks", 0),
        "read": top.get("Shared Read Blocks", 0),
        "planning_ms": doc.get("Planning Time"),
        "execution_ms": doc.get("Execution Time"),
    }
