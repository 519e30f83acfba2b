"""Plans test data written straight to the database (like tests/factories.py): a plan of care
built from the seeded neuroma exercises, and home sessions. For tests of what reads plans;
tests of creating and changing plans go through HTTP."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.plans.content import Dosage, ProgramItem
from services.plans.models import Exercise, HomeSession, PlanOfCare

NEUROMA_RED_FLAGS = {
    "pain_at_least": 7,
    "pain_rising_logs": 3,
    "new_numbness": True,
    "medical_options": ["corticosteroid injection", "sclerosing injection", "neurectomy"],
}
HOME_DOSAGE = {
    "toe-spreads": Dosage(
        sets=2, reps=10, hold_seconds=5, times_per_day=1, days_per_week=5, side="each"
    ),
    "gastroc-soleus-stretch": Dosage(
        reps=3, hold_seconds=30, times_per_day=2, days_per_week=7, side="each"
    ),
    "single-leg-balance": Dosage(
        reps=3, hold_seconds=30, times_per_day=1, days_per_week=5, side="each"
    ),
}
CLINIC_DOSAGE = {"toe-press-downs": Dosage(sets=3, reps=12, side="each")}


async def program_items(db: AsyncSession) -> list[dict[str, Any]]:
    """The four neuroma exercises: three in the home part, toe press-downs in the clinic's."""
    dosages = {**{s: ("home", d) for s, d in HOME_DOSAGE.items()}}
    dosages |= {s: ("clinic", d) for s, d in CLINIC_DOSAGE.items()}
    found = (await db.exec(select(Exercise).where(Exercise.slug.in_(dosages)))).all()  # type: ignore[attr-defined]
    by_slug = {e.slug: e for e in found}
    items = []
    for slug, (part, dosage) in dosages.items():
        exercise = by_slug[slug]
        item = ProgramItem(
            exercise_id=exercise.id,
            slug=slug,
            name=exercise.name,
            purpose=exercise.purpose,
            instructions=exercise.instructions,
            cues=list(exercise.cues),
            precautions=exercise.precautions,
            equipment=list(exercise.equipment),
            part=part,  # type: ignore[arg-type]
            dosage=dosage,
        )
        items.append(item.model_dump(mode="json"))
    return items


async def make_plan(
    db: AsyncSession,
    *,
    patient_id: uuid.UUID,
    therapist_id: uuid.UUID | None = None,
    status: str = "active",
    start_date: date | None = None,
    **fields: Any,
) -> PlanOfCare:
    """A signed (by default) neuroma plan: 2 a week for 6 weeks at Gaithersburg."""
    start = start_date or date.today() - timedelta(days=14)
    therapist = therapist_id or uuid.uuid4()
    signed = status != "draft"
    values: dict[str, Any] = {
        "patient_id": patient_id,
        "therapist_id": therapist,
        "therapist_name": "Test therapist",
        "location": "gaithersburg",
        "time_zone": "America/New_York",
        "status": status,
        "start_date": start,
        "frequency_per_week": 2,
        "duration_weeks": 6,
        "certification_start": start,
        "certification_end": start + timedelta(days=60),
        "diagnoses": [{"code": "G57.62", "display": "Lesion of plantar nerve, left lower limb"}],
        "goals": [
            {
                "id": str(uuid.uuid4()),
                "text": "Walks 30 minutes in everyday shoes with pain at most 2/10",
                "term": "long",
                "target_date": (start + timedelta(weeks=6)).isoformat(),
                "status": "in_progress",
            }
        ],
        "program": await program_items(db),
        "education": [
            {"slug": "footwear", "title": "Wide toe-box shoes", "text": "Wear roomy shoes."}
        ],
        "red_flag_criteria": NEUROMA_RED_FLAGS,
        "staff_note": "Staff only: watch the third web space.",
        "patient_note": "Go gently on the first week.",
        "signed_by": therapist if signed else None,
        "signed_at": datetime.now(UTC) if signed else None,
        "revision": 1 if signed else 0,
        "created_by": therapist,
    }
    plan = PlanOfCare(**(values | fields))
    db.add(plan)
    await db.commit()
    return plan


async def make_session(
    db: AsyncSession, *, plan: PlanOfCare, performed_on: date, pain: int = 2, **fields: Any
) -> HomeSession:
    session = HomeSession(
        plan_id=plan.id,
        patient_id=plan.patient_id,
        performed_on=performed_on,
        pain=pain,
        exercises=fields.pop("exercises", [{"slug": "toe-spreads", "sets": 2, "reps": 10}]),
        **fields,
    )
    db.add(session)
    await db.commit()
    return session
