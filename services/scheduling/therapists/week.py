"""Checking a therapist's week before it is stored: every stretch at a known clinic, ending
after it starts, within the clinic's opening hours that day, and no two overlapping on one
weekday, even at different clinics (nobody is in two places at once). Each rule broken is
reported with the entry and field it concerns (`["body", 2, "end"]`)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from services.common.errors import InvalidInput
from services.scheduling.models import Location
from services.scheduling.opening import opening_stretches
from services.scheduling.therapists.schemas import HoursEntry

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Stretch:
    """A checked entry: where it was in the body, and its clinic and times."""

    index: int
    location: Location
    weekday: int
    starts: time
    ends: time


def checked_week(entries: Sequence[HoursEntry], clinics: Mapping[str, Location]) -> list[Stretch]:
    """The entries as stretches, or 422 naming every entry and field that breaks a rule."""
    errors: list[dict[str, object]] = []
    stretches = []
    for index, entry in enumerate(entries):
        stretch, problem = _stretch(index, entry, clinics)
        if problem:
            errors.append(problem)
        elif stretch:
            stretches.append(stretch)
    errors.extend(_overlaps(stretches))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InvalidInput(f"{_where(first)}: {first['msg']}{more}", errors=errors)
    return stretches


def _stretch(
    index: int, entry: HoursEntry, clinics: Mapping[str, Location]
) -> tuple[Stretch | None, dict[str, object] | None]:
    clinic = clinics.get(entry.location)
    if clinic is None:
        known = ", ".join(sorted(clinics))
        return None, _error(index, "location", f"no clinic has this slug (known: {known})")
    starts, ends = time.fromisoformat(entry.start), time.fromisoformat(entry.end)
    if ends <= starts:
        return None, _error(index, "end", "must be after start")
    opening = opening_stretches(clinic).get(entry.weekday, [])
    if not opening:
        day = WEEKDAYS[entry.weekday]
        return None, _error(index, "weekday", f"{clinic.name} is closed on {day}s")
    if not any(opens <= starts and ends <= closes for opens, closes in opening):
        hours = ", ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in opening)
        day = WEEKDAYS[entry.weekday]
        message = f"must fall within {clinic.name}'s opening hours on {day}s ({hours})"
        return None, _error(index, "start", message)
    return Stretch(index, clinic, entry.weekday, starts, ends), None


def _overlaps(stretches: list[Stretch]) -> list[dict[str, object]]:
    """Each stretch that starts before the latest-ending earlier one of its weekday ends."""
    errors = []
    latest: Stretch | None = None
    for stretch in sorted(stretches, key=lambda s: (s.weekday, s.starts, s.ends)):
        if latest is not None and latest.weekday != stretch.weekday:
            latest = None
        if latest is not None and stretch.starts < latest.ends:
            message = f"overlaps entry {latest.index} ({latest.location.name}, same weekday)"
            errors.append(_error(stretch.index, "start", message))
        if latest is None or stretch.ends > latest.ends:
            latest = stretch
    return errors


def _error(index: int, field: str, message: str) -> dict[str, object]:
    return {"loc": ["body", index, field], "msg": message, "type": "value_error"}


def _where(error: Mapping[str, object]) -> str:
    loc = error["loc"]
    assert isinstance(loc, list)
    return ".".join(str(part) for part in loc)
