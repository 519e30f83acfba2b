"""The booking figures as Markdown: req/s of the service and of its ceiling, the CPU each
spends per request, and where it goes."""

import argparse
from collections.abc import Sequence
from datetime import datetime

from bench.booking import KIND, PATIENTS, SERVICE, VISIT_MINUTES, BookingRun
from bench.ceiling import CEILING
from bench.ceilingreport import profile_lines, throughput_table
from bench.report import machine_lines

TARGET_RATIO = 0.25


def setup_lines(run: BookingRun, args: argparse.Namespace) -> list[str]:
    same = "yes" if not run.differences else "NO: " + "; ".join(run.differences)
    clinics = len({location for location, _ in run.setup.therapists})
    return [
        f"- Data: {len(run.setup.therapists)} therapists at {clinics} clinics (weekdays "
        f"07:00-19:00, through `POST /v1/users` and `PUT /v1/therapists/{{id}}/hours`), "
        f"{PATIENTS} patients, made in {run.setup.seconds:.1f} s",
        f"- Request: `POST /v1/appointments` as the front desk, a {VISIT_MINUTES}-minute "
        f"`{KIND}` in a free slot of its own (no clash), no plan, no room; client: {args.client}",
        f"- The ceiling's answer is the service's JSON (ids and times aside), same ETag: {same}",
        f"- At the end: {run.booked:,} appointments booked, {run.audited:,} `appointment.book` "
        "audit rows (one per booking expected)",
    ]


def verdicts(run: BookingRun) -> list[str]:
    rounds = run.inflight
    share = "**met**" if run.ratio >= TARGET_RATIO else "**NOT met**"
    return [
        f"Target (at least {TARGET_RATIO:g} of the ceiling's req/s): {share}: "
        f"{rounds.median_rate(SERVICE):,.0f} / {rounds.median_rate(CEILING):,.0f} req/s = "
        f"**{run.ratio:.2f}** (medians of the rounds).",
        "",
        f"CPU per request (less sensitive to other work on the machine): the service "
        f"{rounds.median_cpu_ms(SERVICE):.2f} ms, the ceiling "
        f"{rounds.median_cpu_ms(CEILING):.2f} ms; at one core each that allows "
        f"{run.cpu_ratio:.2f} of the ceiling's throughput. Both also make the patients "
        "service work (one status call per booking), which neither figure includes.",
    ]


def render(
    run: BookingRun,
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
            "# Booking with no clash, against a bare ceiling (booking)",
            "",
            *machine_lines(started, load_before=load),
            f"- Code measured: {code}",
            *setup_lines(run, args),
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
            "Warnings and errors in the services' logs:",
            "",
            *logs,
            "",
        ]
    )
