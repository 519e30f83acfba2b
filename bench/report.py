"""The figures as a Markdown table, with a description of the machine they come from."""

import os
import platform
import re
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.load import Result
from bench.scenarios import Scenario

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SHARED_CORES_NOTE = (
    "The load generator (Python, asyncio) runs on the same {cores}-core machine as the three "
    "services and PostgreSQL, so it competes with them for CPU: absolute figures are lower "
    "than an external tool such as wrk would show. Compare runs with each other (same flags, "
    "same client), not with wrk. gen CPU % is the generator's own CPU (100 = one core), box "
    "CPU % the whole machine's (at most {most})."
)


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "unknown"


def memory() -> str:
    """Total RAM, from /proc/meminfo."""
    try:
        found = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    except OSError:
        found = None
    return f"{int(found.group(1)) / 1024**2:.1f} GiB" if found else "unknown"


def cores() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def machine_lines(started: datetime, load_before: str | None = None) -> list[str]:
    """The machine and the run; `load_before` as `load_average()` gave it at the start (else
    the load average is read now, after the run)."""
    return [
        f"- Date (UTC): {started.strftime('%Y-%m-%d %H:%M')}",
        f"- CPUs (`nproc`): {cores()}; CPU model: {cpu_model()}; RAM: {memory()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"- Load average before the run: {load_before or load_average()}",
        f"- Command: `{shlex.join([Path(sys.executable).name, '-m', 'bench', *sys.argv[1:]])}`",
    ]


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
    except OSError:
        return "unknown"


def table(rows: list[tuple[Scenario, Result]]) -> str:
    lines = [
        "| Scenario | Request | Measures | Requests | Errors | req/s | p50 ms | p95 ms | p99 ms "
        "| gen CPU % | box CPU % |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scenario, r in rows:
        lines.append(
            f"| {scenario.name} | `{scenario.request}` | {scenario.measures} "
            f"| {r.tally.requests:,} | {r.tally.errors:,} | {r.rate:,.0f} "
            f"| {r.percentile_ms(0.50):.1f} | {r.percentile_ms(0.95):.1f} "
            f"| {r.percentile_ms(0.99):.1f} | {r.cpu.generator:.0f} | {r.cpu.machine:.0f} |"
        )
    return "\n".join(lines)


def error_lines(rows: list[tuple[Scenario, Result]]) -> list[str]:
    """One line per scenario that had failures: status codes and exception types."""
    lines = []
    for scenario, r in rows:
        bad = {s: n for s, n in sorted(r.tally.statuses.items()) if not 200 <= s < 300}
        if bad or r.tally.exceptions:
            parts = [f"HTTP {s}: {n}" for s, n in bad.items()]
            parts += [f"{name}: {n}" for name, n in r.tally.exceptions.most_common()]
            lines.append(f"- {scenario.name}: " + ", ".join(parts))
    return lines


GENERATOR_BOUND_PERCENT = 85.0


def bound_lines(rows: list[tuple[Scenario, Result]]) -> list[str]:
    """A warning for each scenario where the generator itself used (nearly) a whole core."""
    bound = [s.name for s, r in rows if r.cpu.generator >= GENERATOR_BOUND_PERCENT]
    if not bound:
        return []
    return [
        f"**Generator-bound** (gen CPU >= {GENERATOR_BOUND_PERCENT:.0f} %): {', '.join(bound)}. "
        "These figures measure the load generator more than the service; "
        "compare with `--client raw`.",
        "",
    ]


def render(
    rows: list[tuple[Scenario, Result]],
    *,
    started: datetime,
    settings: str,
    code: str,
    log_problems: list[str],
) -> str:
    errors = error_lines(rows) or ["- none"]
    logs = [f"    {line}" for line in log_problems] or ["    none"]
    return "\n".join(
        [
            "# Benchmark results",
            "",
            *machine_lines(started),
            f"- Code measured: {code}",
            f"- Settings: {settings}",
            "",
            SHARED_CORES_NOTE.format(cores=cores(), most=100 * cores()),
            "",
            table(rows),
            "",
            *bound_lines(rows),
            "Errors (non-2xx answers and exceptions):",
            "",
            *errors,
            "",
            "Warnings and errors in the services' logs:",
            "",
            *logs,
            "",
        ]
    )


def write_latest(text: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "latest.md"
    path.write_text(text)
    return path


def now_utc() -> datetime:
    return datetime.now(UTC)
