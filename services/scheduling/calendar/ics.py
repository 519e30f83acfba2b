"""A therapist's visits as an iCalendar document (RFC 5545), written with `icalendar`.

Each visit is a VEVENT whose start and end are wall times of its clinic's zone (`TZID`), with
a VTIMEZONE for each zone built from the IANA data the process has (zoneinfo, tzdata): a
calendar app then shows 09:00 as 09:00 on both sides of a change of clocks. The document
leaves the system, so it names no patient and no diagnosis: the summary is the patient's
initials and the kind of visit ("L.M. - Treatment"), the location the clinic's name.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

PRODID = "-//Clinic//Scheduling calendar feed//EN"
NAME = "Clinic visits"
# How often a calendar app should fetch the feed again (RFC 7986; Outlook's own name too).
REFRESH = timedelta(minutes=15)
UNNAMED = "Patient"  # initials for a patient the patients service did not name


@dataclass(frozen=True, slots=True)
class FeedVisit:
    """One visit as the feed shows it."""

    appointment_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo
    initials: str | None
    visit_type: str  # the appointment type's name
    clinic: str  # the clinic's name
    version: int


def calendar_of(
    visits: Sequence[FeedVisit], *, uid_domain: str, stamped: datetime, spans: tuple[date, date]
) -> bytes:
    """The feed's document; `spans` are the first and last dates its time zones must cover."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", NAME)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))  # an X- name: typed by hand
    for visit in visits:
        calendar.add_component(_event(visit, uid_domain=uid_domain, stamped=stamped))
    calendar.add_missing_timezones(first_date=spans[0], last_date=spans[1])
    return calendar.to_ical()


def _event(visit: FeedVisit, *, uid_domain: str, stamped: datetime) -> Event:
    event = Event()
    event.add("uid", f"{visit.appointment_id}@{uid_domain}")
    event.add("dtstamp", stamped)
    event.add("dtstart", visit.starts_at.astimezone(visit.zone))
    event.add("dtend", visit.ends_at.astimezone(visit.zone))
    event.add("summary", f"{visit.initials or UNNAMED} - {visit.visit_type}")
    event.add("location", visit.clinic)
    event.add("status", "CONFIRMED")  # the feed holds live visits only
    event.add("sequence", visit.version)
    event.add("class", "PRIVATE")
    return event
