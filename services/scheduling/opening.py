"""A clinic's opening hours, read from its stored rows as times of day per weekday."""

import logging
from datetime import time

from services.scheduling.models import Location

log = logging.getLogger("clinic.scheduling")


def opening_stretches(clinic: Location) -> dict[int, list[tuple[time, time]]]:
    """Weekday (0 = Monday) -> (opens, closes) stretches. A stored entry that cannot be read
    is left out (the clinic counts as closed then) and logged, rather than failing every
    search that touches the clinic."""
    stretches: dict[int, list[tuple[time, time]]] = {}
    for entry in clinic.opening_hours:
        try:
            weekday = int(entry["weekday"])
            opens, closes = time.fromisoformat(entry["opens"]), time.fromisoformat(entry["closes"])
        except (KeyError, TypeError, ValueError):
            log.warning("unreadable opening hours of %s: %r", clinic.slug, entry)
            continue
        stretches.setdefault(weekday, []).append((opens, closes))
    return stretches
