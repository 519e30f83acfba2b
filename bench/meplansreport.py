"""The me-plans figures as Markdown: latency one at a time, then throughput against the ceiling."""

import argparse
from collections.abc import Sequence
from datetime import datetime

from bench.ceiling import CEILING
from bench.ceilingreport import profile_lines, throughput_table
from bench.load import percentile_ms
from bench.meplans import SERVICE, WARMUP_REQUESTS, MePlansRun
from bench.report import machine_lines

TARGET_MS = 15.0
TARGET_RATIO = 0.4


def setup_lines(run: MePlansRun, args: argparse.Namespace) -> list[str]:
    loaded = run.loaded
    statuses = ", ".join(f"{status} {count:,}" for status, count in loaded.statuses.items())
    audit = "; ".join(
        f"{label}: {rows:,} rows for {answers:,} answers"
        for label, (rows, answers) in run.audited.items()
    )
    same = "yes" if run.same_json else "NO: " + "; ".join(run.differences)
    return [
        f"- Data: {loaded.plans:,} plans of care ({statuses}) for {loaded.patients:,} patients, "
        f"{loaded.sessions:,} home sessions, each plan with the 4-exercise neuroma program; "
        f"generated, COPYed / INSERT ... SELECT, VACUUM (ANALYZE) in {loaded.seconds:.1f} s; "
        f"PostgreSQL {loaded.server_version} (embedded, default settings)",
        f"- Request: `GET /v1/me/plans` as a patient with one active 4-exercise plan "
        f"({run.answer_bytes:,} bytes of JSON); client: {args.client}",
        f"- The ceiling's answer is the same JSON as the service's: {same}",
        f"- Audit rows written while measuring one at a time (one per answer expected): {audit}",
    ]


def latency_table(run: MePlansRun) -> list[str]:
    lines = [
        "| App | Requests | Errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for label, seconds in run.latencies.items():
        p50, p95, p99, top = (percentile_ms(seconds, f) for f in (0.5, 0.95, 0.99, 1.0))
        lines.append(
            f"| {label} | {len(seconds):,} | {run.latency_errors[label]:,} "
            f"| {p50:.1f} | {p95:.1f} | {p99:.1f} | {top:.1f} |"
        )
    return lines


def verdicts(run: MePlansRun) -> list[str]:
    p50, rounds = percentile_ms(run.latencies[SERVICE], 0.5), run.inflight
    fast = "**met**" if p50 < TARGET_MS else "**NOT met**"
    share = "**met**" if run.ratio >= TARGET_RATIO else "**NOT met**"
    return [
        f"Target (median under {TARGET_MS:g} ms one at a time): {fast}: p50 {p50:.1f} ms.",
        "",
        f"Target (at least {TARGET_RATIO:g} of the ceiling's req/s): {share}: "
        f"{rounds.median_rate(SERVICE):,.0f} / {rounds.median_rate(CEILING):,.0f} req/s = "
        f"**{run.ratio:.2f}** (medians of the rounds).",
        "",
        f"CPU per request (less sensitive to other work on the machine): the service "
        f"{rounds.median_cpu_ms(SERVICE):.2f} ms, the ceiling "
        f"{rounds.median_cpu_ms(CEILING):.2f} ms; "
        f"at one core each that allows {run.cpu_ratio:.2f} of the ceiling's throughput.",
    ]


def render(
    run: MePlansRun,
    *,
    started: datetime,
    load: str,
    code: str,
    args: argparse.Namespace,
    problems: Sequence[str],
) -> str:
    logs = [f"    {line}" for line in problems] or ["    none"]
    return "\n".join(
        [
            "# A patient's own plans over 100,000 plans and 1,000,000 sessions (me-plans)",
            "",
            *machine_lines(started, load_before=load),
            f"- Code measured: {code}",
            *setup_lines(run, args),
            "",
            f"One at a time ({WARMUP_REQUESTS} unrecorded, then {args.plan_requests} each; "
            "latency as the client sees it):",
            "",
            *latency_table(run),
            "",
            f"{args.concurrency} in flight, {args.ceiling_rounds} rounds of {args.seconds:g} s "
            f"after {args.warmup:g} s warm-up, the order alternating (throughput; CPU per "
            "request from /proc):",
            "",
            *throughput_table(run.inflight),
            "",
            *verdicts(run),
            "",
            *profile_lines(run.inflight),
            "The plan query in PostgreSQL (EXPLAIN (ANALYZE, BUFFERS), the benchmark patient, "
            "after the run):",
            "",
            "```",
            run.query_plan,
            "```",
            "",
            "Warnings and errors in the services' logs:",
            "",
            *logs,
            "",
        ]
    )
