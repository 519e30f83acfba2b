"""CPU use during a scenario: this process (the load generator) and the whole machine.

On a 2-core machine shared by the generator, three services and PostgreSQL, these two figures
say whether a scenario was limited by the services or by the generator (or by other work).
"""

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CpuUse:
    """Percent of one core: 100 = one core busy throughout; the machine's most is 100 x cores."""

    generator: float
    machine: float


def _own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_seconds() -> float | None:
    """Busy CPU time of all cores since boot, from the first line of /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Start it, run the load, then `stop()` for the CPU used in between."""

    def __init__(self) -> None:
        self._wall = time.monotonic()
        self._own = _own_seconds()
        self._machine = _machine_busy_seconds()

    def stop(self) -> CpuUse:
        wall = max(time.monotonic() - self._wall, 1e-9)
        machine_now = _machine_busy_seconds()
        machine = float("nan")
        if self._machine is not None and machine_now is not None:
            machine = 100 * (machine_now - self._machine) / wall
        return CpuUse(generator=100 * (_own_seconds() - self._own) / wall, machine=machine)
