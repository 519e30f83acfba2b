"""The tables of a service measured against its ceiling (`bench/ceiling.py`), as Markdown:
throughput and CPU per round, and where each app's CPU goes by request step."""

import statistics

from bench.ceiling import Rounds
from bench.load import percentile_ms


def throughput_table(run: Rounds) -> list[str]:
    count = max(len(rounds_of) for rounds_of in run.by_app.values())
    rounds = " | ".join(f"round {n + 1}" for n in range(count))
    lines = [
        f"| App | req/s: {rounds} | median req/s | p50 ms | p99 ms | errors "
        "| app CPU ms/req | PostgreSQL CPU ms/req | DB connections opened "
        "| gen CPU % | box CPU % |",
        "|---|" + "--:|" * (count + 9),
    ]
    for label, rounds_of in run.by_app.items():
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


def profile_lines(run: Rounds) -> list[str]:
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
    for step in dict.fromkeys(s for p in run.profiles for s in p.steps):
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
