"""Days and times as people type them, in the clinic's own time zone.

A clinic's day is not the computer's: at 8 pm in Maryland it is already tomorrow in UTC. So
"today" is always the clinic's today (its IANA zone from `GET /v1/locations/{slug}`), and a
time typed without an offset ("2026-12-01 09:00") is the clinic's local time.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import typer

from clinic_client import Clinic

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAYS_AGO = re.compile(r"^(\d{1,3}) days? ago$")
_IN_DAYS = re.compile(r"^in (\d{1,3}) days?$")
_NAMED = {"today": 0, "yesterday": -1, "tomorrow": 1}


def clinic_zone(clinic: Clinic, location: str) -> ZoneInfo:
    return ZoneInfo(clinic.locations.read(location).time_zone)


def clinic_today(clinic: Clinic, location: str) -> date:
    return datetime.now(clinic_zone(clinic, location)).date()


def day(text: str, today: date, *, option: str) -> date:
    """`2026-12-01`, `today`, `yesterday`, `tomorrow`, `3 days ago` or `in 3 days`."""
    said = text.strip().lower()
    if said in _NAMED:
        return today + timedelta(days=_NAMED[said])
    if match := _DAYS_AGO.match(said):
        return today - timedelta(days=int(match[1]))
    if match := _IN_DAYS.match(said):
        return today + timedelta(days=int(match[1]))
    try:
        return date.fromisoformat(said)
    except ValueError:
        raise typer.BadParameter(
            "a date (YYYY-MM-DD), today, yesterday, tomorrow, 'N days ago' or 'in N days'",
            param_hint=option,
        ) from None


def local_start(text: str, zone: ZoneInfo, *, option: str) -> datetime:
    """A start time: ISO 8601 with an offset, or the clinic's local `YYYY-MM-DD HH:MM`."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter("a time such as '2026-12-01 09:00'", param_hint=option) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def clock_time(text: str, *, option: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter("a time of day such as 09:00", param_hint=option) from None


def weekdays(text: str, *, option: str) -> list[int]:
    """`mon-fri`, `mon,thu` or `tue`: weekday numbers, 0 being Monday."""
    found: list[int] = []
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise typer.BadParameter("days such as mon-fri or mon,thu", param_hint=option)
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        found += [each for each in range(start, end + 1) if each not in found]
    return found


def spoken(moment: datetime) -> str:
    """`Tue 1 Dec 2026 09:00`, in the moment's own offset (the clinic's)."""
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M}"


def spoken_day(when: date) -> str:
    return f"{when:%a} {when.day} {when:%b %Y}"
