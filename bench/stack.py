"""The benchmarks' stack: `ops.stack` (shared with the tests), and what its logs say went wrong."""

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ops.stack import SERVICE_NAMES, Stack, free_ports, log_tails, running_stack

__all__ = ["Stack", "free_ports", "log_problems", "log_tails", "running_stack"]


def log_problems(stack: Stack, limit: int = 10) -> list[str]:
    """The commonest warning and error lines of the services' logs, with their counts."""
    seen: Counter[str] = Counter()
    for name in SERVICE_NAMES:
        path = stack.data_dir / f"{name}.log"
        if path.exists():
            seen.update(_problem_lines(name, path))
    return [f"{count} x {line}" for line, count in seen.most_common(limit)]


def _problem_lines(service: str, path: Path) -> Iterator[str]:
    with path.open(errors="replace") as log:
        for raw in log:
            try:
                entry = json.loads(raw)
            except ValueError:
                if "Error" in raw or "Traceback" in raw:
                    yield f"{service}: {raw.strip()[:300]}"
                continue
            if not isinstance(entry, dict):
                continue
            if entry.get("level") in ("warning", "error", "critical"):
                yield _describe(service, entry)
            elif entry.get("logger") == "clinic.access" and int(entry.get("status", 0)) >= 500:
                yield f"{service}: access {entry.get('msg')}"


def _describe(service: str, entry: dict[str, object]) -> str:
    exc = str(entry.get("exc") or "").strip().splitlines()
    last = f" [{exc[-1][:200]}]" if exc else ""
    return f"{service}: {entry.get('level')} {entry.get('logger')}: {entry.get('msg')}{last}"
