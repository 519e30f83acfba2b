"""The search-100k figures as Markdown: latency per kind of search, throughput, plans."""

import argparse
from collections.abc import Sequence
from datetime import datetime

from bench.explain import Plan
from bench.load import percentile_ms
from bench.report import machine_lines
from bench.search100k import (
    PAGE_SIZE,
    THROUGHPUT_CONCURRENCY,
    WARMUP_REQUESTS,
    Sample,
    SearchRun,
)
from bench.searchmix import KINDS

TARGET_MS = 20.0
LATENCY_HEADER = [
    "| Kind | Query | Requests | Errors | Rows returned (mean) | p50 ms | p95 ms | p99 ms |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
]


def _latency_row(kind: str, query: str, samples: Sequence[Sample]) -> str:
    seconds = [s.seconds for s in samples if s.seconds is not None]
    errors = sum(1 for s in samples if s.error is not None or s.status != 200)
    rows = sum(s.returned for s in samples) / len(samples) if samples else 0.0
    p50, p95, p99 = (percentile_ms(seconds, f) for f in (0.50, 0.95, 0.99))
    return (
        f"| {kind} | {query} | {len(samples):,} | {errors:,} | {rows:.1f} "
        f"| {p50:.1f} | {p95:.1f} | {p99:.1f} |"
    )


def latency_table(samples: Sequence[Sample]) -> list[str]:
    lines = list(LATENCY_HEADER)
    for kind, (query, _) in KINDS.items():
        lines.append(_latency_row(kind, query, [s for s in samples if s.query.kind == kind]))
    lines.append(_latency_row("**all**", "the even mix above", samples))
    return lines


def median_ms(samples: Sequence[Sample], kind: str | None = None) -> float:
    chosen = [s.seconds for s in samples if s.seconds is not None and kind in (None, s.query.kind)]
    return percentile_ms(chosen, 0.50)


def verdict(samples: Sequence[Sample]) -> str:
    p50 = median_ms(samples)
    slow = []
    for kind in KINDS:
        kind_p50 = median_ms(samples, kind)
        if kind_p50 >= TARGET_MS:
            slow.append(f"{kind} {kind_p50:.1f} ms")
    met = "**met**" if p50 < TARGET_MS else "**NOT met**"
    tail = f"; kinds at or above it at their median: {', '.join(slow)}" if slow else ""
    return f"Target (median under {TARGET_MS:g} ms): {met}: overall p50 {p50:.1f} ms{tail}."


def _query_string(params: dict[str, str]) -> str:
    return "&".join(f"{name}={value}" for name, value in params.items())


def slowest_lines(samples: Sequence[Sample], count: int = 8) -> list[str]:
    timed = sorted((s for s in samples if s.seconds is not None), key=lambda s: -(s.seconds or 0))
    return [
        f"- {(s.seconds or 0) * 1000:.1f} ms, {s.query.kind}: `{_query_string(s.query.params)}` "
        f"({s.returned} rows)"
        for s in timed[:count]
    ]


def throughput_table(run: SearchRun) -> list[str]:
    r = run.throughput
    return [
        "| In flight | Requests | Errors | req/s | p50 ms | p95 ms | p99 ms "
        "| gen CPU % | box CPU % |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        f"| {r.concurrency} | {r.tally.requests:,} | {r.tally.errors:,} | {r.rate:,.0f} "
        f"| {r.percentile_ms(0.5):.1f} | {r.percentile_ms(0.95):.1f} "
        f"| {r.percentile_ms(0.99):.1f} | {r.cpu.generator:.0f} | {r.cpu.machine:.0f} |",
    ]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def plan_table(plans: Sequence[Plan]) -> list[str]:
    lines = [
        "| Search | Plan asked | Plan got | Nodes (index) | Rows | Buffers hit / read "
        "| Planning ms | Execution ms |",
        "|---|---|---|---|--:|--:|--:|--:|",
    ]
    for p in plans:
        s = p.summary
        got = "generic" if s["generic"] else "custom"
        lines.append(
            f"| `{p.case}` | {p.mode} | {got} | {s['shape']} | {s['rows']:g} "
            f"| {s['hit']} / {s['read']} | {_ms(s['planning_ms'])} | {_ms(s['execution_ms'])} |"
        )
    return lines


def plan_texts(plans: Sequence[Plan]) -> list[str]:
    lines = []
    for p in plans:
        lines += [f"`{p.case}`, {p.mode}:", "", "```", p.text, "```", ""]
    return lines


def setup_lines(run: SearchRun, args: argparse.Namespace) -> list[str]:
    seeded = run.loaded.in_table - run.loaded.generated
    return [
        f"- Data: {run.loaded.generated:,} generated patients COPYed into patients.patient "
        f"(+{seeded} from the seed data = {run.loaded.in_table:,}), about 5 % archived, then "
        f"VACUUM (ANALYZE); {run.loaded.seconds:.1f} s including generation; "
        f"PostgreSQL {run.loaded.server_version} (embedded, default settings)",
        f"- Searches: `GET /v1/patients` as front desk, default page ({PAGE_SIZE}, so LIMIT "
        f"{PAGE_SIZE + 1}), status active; one at a time ({WARMUP_REQUESTS} warm-up, then "
        f"{run.requests} measured), client: {args.client}",
        "- Each search also inserts its audit row (patients.audit_event) and commits: that "
        "write is inside the latency",
    ]


def render(
    run: SearchRun, *, started: datetime, code: str, args: argparse.Namespace, problems: list[str]
) -> str:
    logs = [f"    {line}" for line in problems] or ["    none"]
    return "\n".join(
        [
            f"# Patient search over {run.loaded.generated:,} generated patients (search-100k)",
            "",
            *machine_lines(started),
            f"- Code measured: {code}",
            *setup_lines(run, args),
            "",
            "One at a time (latency):",
            "",
            *latency_table(run.samples),
            "",
            verdict(run.samples),
            "",
            "Slowest searches:",
            "",
            *slowest_lines(run.samples),
            "",
            f"The same mix, {THROUGHPUT_CONCURRENCY} in flight, {args.seconds:g} s after "
            f"{args.warmup:g} s warm-up (throughput):",
            "",
            *throughput_table(run),
            "",
            "EXPLAIN (ANALYZE, BUFFERS) of the service's search SQL (custom: values known to the "
            "planner; generic: one plan for any value; auto: what PostgreSQL chose after five "
            "executions of the prepared statement, as on the service's pooled connections):",
            "",
            *plan_table(run.plans),
            "",
            *plan_texts(run.plans),
            "Warnings and errors in the services' logs:",
            "",
            *logs,
            "",
        ]
    )
