"""A clinic's appointment book in bulk, COPYed straight into scheduling.appointment, for
`availability-month`: 200,000 appointments of one clinic's 10 therapists by default.

The book ends with the month the benchmark searches (densely booked) and reaches back, one
weekday at a time, as far as it takes to hold the number asked for: about 8 years of the
clinic's history. Each therapist's day is a run of visits back to back within their hours
(45-minute treatments, one in seven a 60-minute evaluation), each slot taken with a set
chance. Visits before today were completed (a few were no-shows or cancelled); later ones
are booked (a few cancelled). No two of a therapist's or a patient's visits overlap (the
visits of one day go to distinct patients of a large pool), so the exclusion
constraints accept every row. Seeded: every run has the same book.
"""

import random
import time as timer
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from bench.staffing import TIME_ZONE, WEEKDAYS

COLUMNS = (
    "id", "patient_id", "therapist_id", "location", "appointment_type", "duration_minutes",
    "starts_at", "ends_at", "status", "cancel_reason", "cancelled_at", "late_cancellation",
    "version", "created_by", "created_at", "updated_at",
)  # fmt: skip
PATIENT_POOL = 20_000
EVALUATION_SHARE = 1 / 7
Record = tuple[object, ...]


@dataclass(frozen=True)
class Book:
    """What goes in: the clinic, its therapists' hours, and how full the days are."""

    location: str
    therapist_ids: Sequence[uuid.UUID]
    opens: time  # the therapists' hours, every weekday
    closes: time
    month_first: date  # the month searched, booked `month_fill`
    month_last: date
    month_fill: float = 0.8
    history_fill: float = 0.85


@dataclass(frozen=True)
class Loaded:
    appointments: int
    in_month: int  # live ones in the month searched
    first_day: date
    statuses: dict[str, int]
    seconds: float
    server_version: str


def _status(day: date, today: date, rng: random.Random) -> str:
    draw = rng.random()
    if day < today:
        return "completed" if draw < 0.88 else "no_show" if draw < 0.92 else "cancelled"
    return "booked" if draw < 0.93 else "cancelled"


def _visits(book: Book, day: date, fill: float, rng: random.Random) -> Iterator[tuple[int, int]]:
    """(minutes after opening, length) of the visits of one therapist's day."""
    end = (book.closes.hour - book.opens.hour) * 60 + book.closes.minute - book.opens.minute
    at = 0
    while True:
        length = 60 if rng.random() < EVALUATION_SHARE else 45
        if at + length > end:
            return
        if rng.random() < fill:
            yield at, length
        at += length


def _days(book: Book, count_hint: int) -> Iterator[date]:
    """Weekdays from the last of the month searched backwards."""
    day = book.month_last
    for _ in range(count_hint * 2):
        if day.weekday() in WEEKDAYS:
            yield day
        day -= timedelta(days=1)


def generate(book: Book, total: int, seed: int) -> tuple[list[Record], date]:
    """`total` appointment rows, newest days first, and the earliest day they reach."""
    rng, today = random.Random(seed), datetime.now(TIME_ZONE).date()
    patients = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(PATIENT_POOL)]
    desk = uuid.UUID(int=rng.getrandbits(128), version=4)
    rows: list[Record] = []
    first = book.month_last
    for day in _days(book, total):
        first = day
        in_month = book.month_first <= day <= book.month_last
        opening = datetime.combine(day, book.opens, tzinfo=TIME_ZONE).astimezone(UTC)
        for therapist in book.therapist_ids:
            fill = book.month_fill if in_month else book.history_fill
            for offset, length in _visits(book, day, fill, rng):
                if len(rows) == total:
                    return rows, first
                starts = opening + timedelta(minutes=offset)
                patient = patients[len(rows) % PATIENT_POOL]
                rows.append(_row(book, therapist, patient, desk, starts, length, today, rng))
    return rows, first


def _row(
    book: Book,
    therapist: uuid.UUID,
    patient: uuid.UUID,
    desk: uuid.UUID,
    starts: datetime,
    length: int,
    today: date,
    rng: random.Random,
) -> Record:
    status = _status(starts.astimezone(TIME_ZONE).date(), today, rng)
    made = starts - timedelta(days=rng.randrange(1, 60))
    cancelled = status == "cancelled"
    return (
        uuid.UUID(int=rng.getrandbits(128), version=4),
        patient,
        therapist,
        book.location,
        "evaluation" if length == 60 else "treatment",
        length,
        starts,
        starts + timedelta(minutes=length),
        status,
        "The patient called to cancel." if cancelled else None,
        starts - timedelta(days=2) if cancelled else None,
        False,
        1,
        desk,
        made,
        made,
    )


async def load(dsn: str, book: Book, total: int, seed: int) -> Loaded:
    """Generate and COPY the book, then VACUUM (ANALYZE), as a table that size in use would
    long have been (and so autovacuum does not start mid-run)."""
    started = timer.monotonic()
    rows, first = generate(book, total, seed)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "appointment", schema_name="scheduling", columns=COLUMNS, records=rows
        )
        await conn.execute("VACUUM (ANALYZE) scheduling.appointment")
        version = str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
    statuses = Counter(str(row[8]) for row in rows)
    month = sum(
        1
        for row in rows
        if row[8] != "cancelled"
        and book.month_first <= row[6].astimezone(TIME_ZONE).date() <= book.month_last  # type: ignore[attr-defined]
    )
    return Loaded(len(rows), month, first, dict(statuses), timer.monotonic() - started, version)
