"""The figures of `availability-month` and `day-sheet` as Markdown: latency one request at a
time against the target, and the busy queries' plans."""

import argparse
from collections.abc import Sequence
from datetime import datetime

from bench.load import percentile_ms
from bench.report import machine_lines
from bench.schedulereads import WARMUP_REQUESTS, ReadRun


def latency_table(run: ReadRun) -> list[str]:
    seconds = run.timed.latencies
    p50, p95, p99, top = (percentile_ms(seconds, f) for f in (0.5, 0.95, 0.99, 1.0))
    return [
        "| Request | Requests | Errors | p50 ms | p95 ms | p99 ms | max ms | service CPU ms/req |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
        f"| `GET {run.query}` | {len(seconds):,} | {run.timed.errors:,} | **{p50:.1f}** "
        f"| {p95:.1f} | {p99:.1f} | {top:.1f} | {run.timed.cpu_ms:.2f} |",
    ]


def verdict(run: ReadRun) -> str:
    p50, target = percentile_ms(run.timed.latencies, 0.5), run.scenario.target_ms
    met = "**met**" if p50 < target else "**NOT met**"
    return f"Target (median under {target:g} ms one at a time): {met}: p50 {p50:.1f} ms."


def profile_lines(run: ReadRun) -> list[str]:
    """The service's CPU per request by step: its share of the py-spy samples, times the CPU
    per request it used while measured."""
    profile = run.profile
    if profile is None:
        return []
    lines = [
        f"Where the service's CPU goes (py-spy, GIL-holding samples, one more pass of "
        f"{profile.total:,} samples; ms/req = share x {run.timed.cpu_ms:.2f} ms, the CPU per "
        "request measured above):",
        "",
        "| Step | % | ms/req |",
        "|---|--:|--:|",
    ]
    for step in profile.steps:
        if profile.samples[step]:
            share = profile.share(step)
            lines.append(f"| {step} | {100 * share:.1f} | {share * run.timed.cpu_ms:.2f} |")
    return [*lines, ""]


def plan_lines(run: ReadRun) -> list[str]:
    lines = []
    for what, text in run.plans:
        lines += [f"EXPLAIN (ANALYZE, BUFFERS), {what}:", "", "```", text, "```", ""]
    return lines


def render(
    run: ReadRun,
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
            f"# {run.scenario.measures[0].upper()}{run.scenario.measures[1:]} "
            f"({run.scenario.name})",
            "",
            *machine_lines(started, load_before=load),
            f"- Code measured: {code}",
            *run.setup,
            f"- As the front desk, one at a time: {WARMUP_REQUESTS} unrecorded, then "
            f"{args.read_requests} measured; client: {args.client}",
            "",
            *latency_table(run),
            "",
            verdict(run),
            "",
            *profile_lines(run),
            *plan_lines(run),
            "Warnings and errors in the services' logs:",
            "",
            *logs,
            "",
        ]
    )
