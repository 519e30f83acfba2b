"""The me-plans figures as Markdown: latency one at a time, then throughput against the ceiling."""

import argparse
import statistics
from collections.abc import Sequence
from datetime import datetime

from bench import profiling
from bench.load import percentile_ms
from bench.meplans import CEILING, SERVICE, WARMUP_REQUESTS, MePlansRun
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


def throughput_table(run: MePlansRun) -> list[str]:
    count = len(run.rounds[SERVICE])
    rounds = " | ".join(f"round {n + 1}" for n in range(count))
    lines = [
        f"| App | req/s: {rounds} | median req/s | p50 ms | p99 ms | errors "
        "| app CPU ms/req | PostgreSQL CPU ms/req | DB connections opened "
        "| gen CPU % | box CPU % |",
        "|---|" + "--:|" * (count + 9),
    ]
    for label, rounds_of in run.rounds.items():
        latencies = [x for r in rounds_of for x in r.result.tally.latencies]
        per_round = " | ".join(f"{r.result.rate:,.0f}" for r in rounds_of)
        generator = statistics.median(r.result.cpu.generator for r in rounds_of)
        machine = statistics.median(r.result.cpu.machine for r in rounds_of)
        lines.append(
            f"| {label} | {per_round} | {run.median_rate(label):,.0f} "
            f"| {percentile_ms(latencies, 0.5):.1f} | {percentile_ms(latencies, 0.99):.1f} "
            f"| {sum(r.result.tally.errors for r in rounds_of):,} "
            f"| {run.median_cpu_ms(label):.2f} | {run.median_cpu_ms(label, database=True):.2f} "
            f"| {sum(r.connections_opened for r in rounds_of):,} "
            f"| {generator:.0f} | {machine:.0f} |"
        )
    return lines


def profile_lines(run: MePlansRun) -> list[str]:
    """Each app's CPU per request by step: its share of the py-spy samples, times the CPU
    per request the app used in the measured rounds."""
    if not run.profiles:
        return []
    labels = [p.label for p in run.profiles]
    header = " | ".join(f"{label} % | {label} ms/req" for label in labels)
    lines = [
        "Where the CPU goes (py-spy, GIL-holding samples, one more round per app; ms/req = "
        "share x the app's CPU ms/req above):",
        "",
        f"| Step | {header} |",
        "|---|" + "--:|--:|" * len(labels),
    ]
    for step in profiling.step_names():
        if not any(p.samples[step] for p in run.profiles):
            continue
        cells = " | ".join(
            f"{100 * p.share(step):.1f} | {p.share(step) * run.median_cpu_ms(p.label):.2f}"
            for p in run.profiles
        )
        lines.append(f"| {step} | {cells} |")
    totals = " | ".join(
        f"{p.total:,} samples | {run.median_cpu_ms(p.label):.2f}" for p in run.profiles
    )
    return [*lines, f"| total | {totals} |", ""]


def verdicts(run: MePlansRun) -> list[str]:
    p50 = percentile_ms(run.latencies[SERVICE], 0.5)
    fast = "**met**" if p50 < TARGET_MS else "**NOT met**"
    share = "**met**" if run.ratio >= TARGET_RATIO else "**NOT met**"
    return [
        f"Target (median under {TARGET_MS:g} ms one at a time): {fast}: p50 {p50:.1f} ms.",
        "",
        f"Target (at least {TARGET_RATIO:g} of the ceiling's req/s): {share}: "
        f"{run.median_rate(SERVICE):,.0f} / {run.median_rate(CEILING):,.0f} req/s = "
        f"**{run.ratio:.2f}** (medians of the rounds).",
        "",
        f"CPU per request (less sensitive to other work on the machine): the service "
        f"{run.median_cpu_ms(SERVICE):.2f} ms, the ceiling {run.median_cpu_ms(CEILING):.2f} ms; "
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
            *throughput_table(run),
            "",
            *verdicts(run),
            "",
            *profile_lines(run),
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
