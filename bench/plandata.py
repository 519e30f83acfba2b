"""Plans of care and home sessions in bulk, written straight into the plans schema, for
`me-plans`: 100,000 plans for 50,000 patients and 1,000,000 home sessions by default.

Every plan holds the neuroma program as the service stores it (`content.ProgramItem` built
from the seeded exercises: three exercises in the home part, toe press-downs in the clinic's),
the protocol's education items and red-flag criteria. A patient's earlier plans are over
(completed, a few discontinued); the latest is mostly active or completed, some drafts and
some on hold. The plans are COPYed; the sessions are made by PostgreSQL itself (INSERT ...
SELECT over generate_series, from a per-plan count COPYed into a temp table), which is much
faster than sending a million rows. Seeded: every run has the same plans (the session rows'
ids and pains come from PostgreSQL's random(), seeded with setseed).
"""

import json
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from services.plans.content import Dosage, ProgramItem

PROTOCOL = "mortons-neuroma"
TIME_ZONE = "America/New_York"
LOCATIONS = ("gaithersburg", "frederick", "columbia")
THERAPISTS = 12  # made-up therapist accounts the generated plans belong to
OPEN_STATUSES = ("active", "on_hold", "draft")
# The latest plan of a patient; the earlier ones are over (see `earlier_status`).
LATEST_STATUS_WEIGHTS = {
    "active": 55,
    "completed": 20,
    "on_hold": 10,
    "draft": 12,
    "discontinued": 3,
}
HOME_PART = ("toe-spreads", "gastroc-soleus-stretch", "single-leg-balance")
CLINIC_PART = ("toe-press-downs",)
SESSION_EXERCISES = json.dumps([{"slug": s, "sets": None, "reps": None} for s in HOME_PART])

PLAN_COLUMNS = (
    "id", "patient_id", "therapist_id", "therapist_name", "location", "time_zone",
    "protocol_id", "status", "status_reason", "version", "revision", "start_date",
    "frequency_per_week", "duration_weeks", "certification_start", "certification_end",
    "diagnoses", "goals", "program", "education", "red_flag_criteria", "home_equipment",
    "patient_note", "staff_note", "signed_by", "signed_at", "completed_visits",
    "visits_since_progress_report", "progress_reports", "created_by", "created_at",
    "updated_at",
)  # fmt: skip
Record = tuple[object, ...]


@dataclass(frozen=True)
class Library:
    """What the generated plans copy from the seeded library and protocol."""

    protocol_id: uuid.UUID
    exercises: dict[str, asyncpg.Record]  # by slug
    education: str  # JSON, as stored in the protocol
    red_flags: str  # JSON


@dataclass(frozen=True)
class BenchPatient:
    """The patient whose token the benchmark uses, and their therapist (real accounts)."""

    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    therapist_name: str


@dataclass(frozen=True)
class Loaded:
    plans: int
    patients: int
    sessions: int
    statuses: dict[str, int]
    bench_patient_id: uuid.UUID
    bench_plan_id: uuid.UUID
    seconds: float
    server_version: str


@dataclass(frozen=True)
class PlanRow:
    """One generated plan: its COPY record, and what its session count is drawn from."""

    record: Record
    plan_id: uuid.UUID
    patient_id: uuid.UUID
    start: date
    days_logged_over: int  # days from the start to the plan's end or today; 0 for a draft
    adherence: float


def program(library: Library, home: Dosage, balance: Dosage, stretch: Dosage) -> str:
    """The four exercises as a signed plan stores them (the library's words copied in)."""
    dosages = {
        "toe-spreads": ("home", home),
        "gastroc-soleus-stretch": ("home", stretch),
        "single-leg-balance": ("home", balance),
        "toe-press-downs": ("clinic", Dosage(sets=3, reps=12, side="each")),
    }
    items = []
    for slug, (part, dosage) in dosages.items():
        row = library.exercises[slug]
        item = ProgramItem(
            exercise_id=row["id"],
            slug=slug,
            name=row["name"],
            purpose=row["purpose"],
            instructions=row["instructions"],
            cues=list(row["cues"]),
            precautions=row["precautions"],
            equipment=list(row["equipment"]),
            part=part,  # type: ignore[arg-type]
            dosage=dosage,
        )
        items.append(item.model_dump(mode="json"))
    return json.dumps(items)


def program_variants(library: Library) -> list[str]:
    """A few per-patient dosages within the protocol's ranges, serialised once each."""
    variants = []
    for reps, hold, days in ((10, 5, 5), (12, 4, 5), (15, 3, 7), (10, 3, 7)):
        home = Dosage(
            sets=2, reps=reps, hold_seconds=hold, times_per_day=1, days_per_week=days, side="each"
        )
        stretch = Dosage(reps=3, hold_seconds=30, times_per_day=2, days_per_week=7, side="each")
        balance = Dosage(reps=3, hold_seconds=30, times_per_day=1, days_per_week=5, side="each")
        variants.append(program(library, home, balance, stretch))
    return variants


def goals(start: date, rng: random.Random) -> str:
    return json.dumps(
        [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "text": "Does the home program 5 days a week with forefoot pain at most 3/10",
                "term": "short",
                "target_date": (start + timedelta(weeks=3)).isoformat(),
                "status": "in_progress",
            },
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "text": "Walks 30 minutes in everyday shoes with forefoot pain at most 2/10",
                "term": "long",
                "target_date": (start + timedelta(weeks=6)).isoformat(),
                "status": "not_started",
            },
        ]
    )


DIAGNOSES = [
    json.dumps([{"code": code, "display": display}])
    for code, display in (
        ("G57.60", "Lesion of plantar nerve, unspecified lower limb"),
        ("G57.61", "Lesion of plantar nerve, right lower limb"),
        ("G57.62", "Lesion of plantar nerve, left lower limb"),
        ("G57.63", "Lesion of plantar nerve, bilateral lower limbs"),
    )
]


class PlanMaker:
    """Draws plans from one seeded random source, with the library's words."""

    def __init__(self, library: Library, rng: random.Random, today: date) -> None:
        self.library, self.rng, self.today = library, rng, today
        self.programs = program_variants(library)
        self.therapists = [
            (uuid.UUID(int=rng.getrandbits(128), version=4), f"Therapist {n + 1}")
            for n in range(THERAPISTS)
        ]

    def latest_status(self) -> str:
        statuses, weights = zip(*LATEST_STATUS_WEIGHTS.items(), strict=True)
        return self.rng.choices(statuses, weights)[0]

    def earlier_status(self) -> str:
        return "completed" if self.rng.random() < 0.9 else "discontinued"

    def latest_start(self, status: str) -> date:
        """Open plans started in the last four months; finished ones before that."""
        back = (
            self.rng.randrange(0, 120) if status in OPEN_STATUSES else self.rng.randrange(120, 900)
        )
        return self.today - timedelta(days=back)

    def patient_plans(self, patient_id: uuid.UUID, count: int) -> list[PlanRow]:
        """A patient's plans, newest first: the latest may be open, the earlier are over."""
        status = self.latest_status()
        start = self.latest_start(status)
        rows = []
        for _ in range(count):
            rows.append(self.plan(patient_id, status, start))
            status, start = self.earlier_status(), start - timedelta(self.rng.randrange(100, 400))
        return rows

    def plan(
        self,
        patient_id: uuid.UUID,
        status: str,
        start: date,
        therapist: tuple[uuid.UUID, str] | None = None,
        program_json: str | None = None,
    ) -> PlanRow:
        rng = self.rng
        therapist_id, therapist_name = therapist or rng.choice(self.therapists)
        plan_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        frequency, weeks = rng.choice((1, 2, 2, 3)), rng.choice((4, 6, 6, 8, 12))
        signed = status != "draft"
        created = datetime.combine(start, time(15, 0), UTC) - timedelta(days=1)
        ended = min(self.today, start + timedelta(weeks=weeks))
        visits = (
            0
            if not signed
            else min(frequency * weeks, max(0, (ended - start).days // 7 * frequency))
        )
        record: Record = (
            plan_id,
            patient_id,
            therapist_id,
            therapist_name,
            rng.choice(LOCATIONS),
            TIME_ZONE,
            self.library.protocol_id,
            status,
            "Moved out of the area" if status == "discontinued" else None,
            rng.randint(1, 4) if signed else 1,
            rng.randint(1, 3) if signed else 0,
            start,
            frequency,
            weeks,
            start,
            start + timedelta(days=min(90, weeks * 7)),
            rng.choice(DIAGNOSES),
            goals(start, rng),
            program_json or rng.choice(self.programs),
            self.library.education,
            self.library.red_flags,
            ["none", "wall"],
            "Go gently the first week; a little soreness is fine, burning is not.",
            "Staff only: check the third web space at each visit.",
            therapist_id if signed else None,
            created + timedelta(hours=1) if signed else None,
            visits,
            visits % 10,
            visits // 10,
            therapist_id,
            created,
            created + timedelta(hours=1),
        )
        return PlanRow(
            record,
            plan_id,
            patient_id,
            start,
            (ended - start).days if signed else 0,
            rng.uniform(0.3, 0.9),
        )


def spread(total: int, parts: Sequence[int]) -> list[int]:
    """Split `total` across parts in proportion to their weights (largest remainders)."""
    weight = sum(parts)
    if weight == 0:
        return [0] * len(parts)
    exact = [total * p / weight for p in parts]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def session_counts(rows: Sequence[PlanRow], total: int) -> list[int]:
    """Sessions per plan: in proportion to the days it ran and the patient's adherence,
    never more than one per day (a plan that ran 30 days has at most 30 logs)."""
    weights = [round(r.days_logged_over * r.adherence * 1000) for r in rows]
    counts = spread(total, weights)
    if any(c > r.days_logged_over for c, r in zip(counts, rows, strict=True)):
        raise ValueError(f"{total:,} sessions do not fit these plans at one a day")
    return counts


async def read_library(conn: asyncpg.Connection) -> Library:
    slugs = list(HOME_PART + CLINIC_PART)
    rows = await conn.fetch(
        "SELECT id, slug, name, purpose, instructions, cues, precautions, equipment "
        "FROM plans.exercise WHERE slug = ANY($1::text[])",
        slugs,
    )
    protocol = await conn.fetchrow(
        "SELECT id, education, red_flags FROM plans.protocol WHERE slug = $1", PROTOCOL
    )
    if protocol is None or len(rows) != len(slugs):
        raise RuntimeError("the neuroma exercises and protocol are not seeded")
    return Library(
        protocol_id=protocol["id"],
        exercises={r["slug"]: r for r in rows},
        education=protocol["education"],
        red_flags=protocol["red_flags"],
    )


def generate(
    maker: PlanMaker, bench: BenchPatient, plans: int, patients: int
) -> tuple[list[PlanRow], uuid.UUID]:
    """`plans` plans for `patients` patients (the benchmark patient's one active plan among
    them): every other patient one plan, the remaining plans to patients drawn at random."""
    others = [uuid.UUID(int=maker.rng.getrandbits(128), version=4) for _ in range(patients - 1)]
    per_patient = Counter(others)
    per_patient.update(maker.rng.choices(others, k=plans - 1 - len(others)))
    rows = [r for p, n in per_patient.items() for r in maker.patient_plans(p, n)]
    own = maker.plan(
        bench.patient_id,
        "active",
        maker.today - timedelta(days=14),
        therapist=(bench.therapist_id, bench.therapist_name),
        program_json=maker.programs[0],
    )
    return [own, *rows], own.plan_id


async def insert_sessions(
    conn: asyncpg.Connection, rows: Sequence[PlanRow], counts: Sequence[int]
) -> None:
    """The sessions of each plan, spread evenly over the days it ran, made in the database."""
    await conn.execute(
        "CREATE TEMP TABLE session_plan (plan_id uuid, patient_id uuid, start_date date, "
        "days int, sessions int) ON COMMIT DROP"
    )
    plan_counts = [
        (r.plan_id, r.patient_id, r.start, r.days_logged_over, n)
        for r, n in zip(rows, counts, strict=True)
        if n
    ]
    await conn.copy_records_to_table("session_plan", records=plan_counts)
    await conn.execute("SELECT setseed(0.2026)")
    # Every plan_id comes from the plans just written: checking a million foreign keys one by
    # one would only triple the load time. (The stack's database user is its superuser.)
    await conn.execute("SET LOCAL session_replication_role = replica")
    await conn.execute(
        """
        INSERT INTO plans.home_session
            (id, plan_id, patient_id, performed_on, exercises, pain, numbness, note, version,
             created_at, updated_at)
        SELECT gen_random_uuid(), s.plan_id, s.patient_id, day.performed_on, $1::jsonb,
               greatest(0, least(10, round(5 - 3.0 * g / s.sessions + random() * 3 - 1)))::int,
               random() < 0.04,
               CASE WHEN random() < 0.1 THEN 'A bit sore after the balance work.' END,
               1, day.logged_at, day.logged_at
        FROM session_plan s
        CROSS JOIN LATERAL generate_series(0, s.sessions - 1) AS g
        CROSS JOIN LATERAL (
            SELECT s.start_date + (g * s.days / s.sessions) AS performed_on,
                   (s.start_date + (g * s.days / s.sessions) + time '19:30')
                       AT TIME ZONE $2 AS logged_at
        ) AS day
        """,
        SESSION_EXERCISES,
        TIME_ZONE,
    )


async def load(
    dsn: str, bench: BenchPatient, *, plans: int, patients: int, sessions: int, seed: int
) -> Loaded:
    """Generate and write the plans and sessions, then VACUUM (ANALYZE) both tables, as
    tables of that size in use would long have been (and so autovacuum stays out of the run)."""
    started = datetime.now(UTC)
    conn = await asyncpg.connect(dsn)
    try:
        maker = PlanMaker(await read_library(conn), random.Random(seed), date.today())
        rows, bench_plan = generate(maker, bench, plans, patients)
        counts = session_counts(rows, sessions)
        async with conn.transaction():
            await conn.copy_records_to_table(
                "plan_of_care",
                schema_name="plans",
                columns=list(PLAN_COLUMNS),
                records=[r.record for r in rows],
            )
            await insert_sessions(conn, rows, counts)
        for table in ("plan_of_care", "home_session"):
            await conn.execute(f"VACUUM (ANALYZE) plans.{table}")
        return Loaded(
            plans=await conn.fetchval("SELECT count(*) FROM plans.plan_of_care"),
            patients=await conn.fetchval(
                "SELECT count(DISTINCT patient_id) FROM plans.plan_of_care"
            ),
            sessions=await conn.fetchval("SELECT count(*) FROM plans.home_session"),
            statuses=dict(
                await conn.fetch(
                    "SELECT status, count(*) FROM plans.plan_of_care GROUP BY 1 ORDER BY 2 DESC"
                )
            ),
            bench_patient_id=bench.patient_id,
            bench_plan_id=bench_plan,
            seconds=(datetime.now(UTC) - started).total_seconds(),
            server_version=str(await conn.fetchval("SHOW server_version")),
        )
    finally:
        await conn.close()
