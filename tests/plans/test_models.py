"""The plans tables' own guarantees: computed visits, the certification limit, one log a day,
immutable revisions and a used exercise that cannot be deleted."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.plans.library.lookup import exercises_by_slug, protocol_by_slug
from services.plans.models import PlanRevision, ProgramExerciseUse
from tests.plans.factories import make_plan, make_session


async def test_planned_visits_are_frequency_times_duration(db):
    plan = await make_plan(db, patient_id=uuid.uuid4())
    await db.refresh(plan)
    assert plan.planned_visits == 12


async def test_a_certification_longer_than_90_days_is_refused(db):
    start = date(2026, 1, 5)
    await make_plan(
        db, patient_id=uuid.uuid4(), start_date=start, certification_end=start + timedelta(days=90)
    )
    with pytest.raises(IntegrityError, match="certification_interval"):
        await make_plan(
            db,
            patient_id=uuid.uuid4(),
            start_date=start,
            certification_end=start + timedelta(days=91),
        )


async def test_one_home_session_per_plan_per_day(db):
    plan = await make_plan(db, patient_id=uuid.uuid4())
    await make_session(db, plan=plan, performed_on=date.today())
    with pytest.raises(IntegrityError, match="uq_home_session_plan_id_performed_on"):
        await make_session(db, plan=plan, performed_on=date.today())


async def test_revisions_are_immutable(db):
    plan = await make_plan(db, patient_id=uuid.uuid4())
    db.add(
        PlanRevision(
            plan_id=plan.id,
            number=1,
            kind="signed",
            content={},
            plan_version=1,
            changed_by=plan.therapist_id,
        )
    )
    await db.commit()
    for change in (
        "UPDATE plans.plan_revision SET summary = 'x'",
        "DELETE FROM plans.plan_revision",
    ):
        nested = await db.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            await db.exec(text(change))
        await nested.rollback()


async def test_an_exercise_a_plan_used_cannot_be_deleted(db):
    plan = await make_plan(db, patient_id=uuid.uuid4())
    exercise_id = uuid.UUID(plan.program[0]["exercise_id"])
    db.add(ProgramExerciseUse(exercise_id=exercise_id, plan_id=plan.id))
    await db.commit()
    with pytest.raises(IntegrityError, match="fk_program_exercise_use_exercise_id_exercise"):
        await db.exec(text("DELETE FROM plans.exercise WHERE id = :id").bindparams(id=exercise_id))


async def test_the_neuroma_protocol_is_seeded_with_the_four_exercises(db):
    protocol = await protocol_by_slug(db, "mortons-neuroma")
    assert protocol is not None
    assert protocol.icd10_codes == ["G57.60", "G57.61", "G57.62", "G57.63"]
    slugs = [e["slug"] for e in protocol.exercises]
    found = await exercises_by_slug(db, slugs)
    assert {str(found[s].id) for s in slugs} == {e["exercise_id"] for e in protocol.exercises}
    assert protocol.red_flags["pain_at_least"] == 7
