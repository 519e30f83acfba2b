"""What a patient reads of their own plans (`/v1/me/plans`), over HTTP on real PostgreSQL:
only their own active and on-hold plans, in the words of the home program, never a staff
note, every read audited."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from services.plans.me import service
from services.plans.me.schemas import MyPlanRead
from services.plans.models import AuditEvent, PlanOfCare, Protocol
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.plans.factories import make_plan

STAFF_SECRET = "STAFF-ONLY-3rd-web-space"
ADVICE = "Call the clinic if the pain reaches 7 out of 10 or your toes go numb."
PLAN_KEYS = {
    "id",
    "status",
    "therapist_name",
    "location",
    "start_date",
    "certification_end",
    "frequency_per_week",
    "duration_weeks",
    "diagnoses",
    "home",
    "clinic",
    "patient_note",
    "education",
    "when_to_call",
}
EXERCISE_KEYS = {
    "slug",
    "name",
    "purpose",
    "instructions",
    "cues",
    "precautions",
    "equipment",
    "dosage",
    "dosage_text",
    "patient_note",
}
DOSAGE_KEYS = {
    "sets",
    "sets_max",
    "reps",
    "reps_max",
    "hold_seconds",
    "hold_seconds_max",
    "times_per_day",
    "days_per_week",
    "side",
}


async def _patient(db, apps) -> tuple[Any, Any, dict[str, str]]:
    """A patient with a login: (patient, account, headers)."""
    patient = await make_patient(db)
    account = await make_account(db, role="patient", patient=patient)
    return patient, account, bearer(token_for(apps, account))


async def _audit_rows(db, account) -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.actor_user_id == account.id)
    return list((await db.exec(statement.order_by(col(AuditEvent.id)))).all())


def _without_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "instance"}


# -- which plans -----------------------------------------------------------------------------


async def test_lists_only_own_active_and_on_hold_plans(plans_api, db, apps):
    patient, _, headers = await _patient(db, apps)
    active = await make_plan(db, patient_id=patient.id)
    on_hold = await make_plan(db, patient_id=patient.id, status="on_hold")
    for status in ("draft", "completed", "discontinued"):
        await make_plan(db, patient_id=patient.id, status=status)
    await make_plan(db, patient_id=(await make_patient(db)).id)  # another patient's

    response = await plans_api.get("/v1/me/plans", headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert {p["id"] for p in body["items"]} == {str(active.id), str(on_hold.id)}
    assert {p["status"] for p in body["items"]} == {"active", "on_hold"}
    assert body["next_cursor"] is None


async def test_reads_one_own_plan_with_its_etag(plans_api, db, apps):
    patient, _, headers = await _patient(db, apps)
    plan = await make_plan(db, patient_id=patient.id, status="on_hold")

    response = await plans_api.get(f"/v1/me/plans/{plan.id}", headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{plan.version}"'
    assert response.json()["id"] == str(plan.id)
    assert response.json()["status"] == "on_hold"


async def test_another_patients_plan_a_draft_and_an_unknown_id_answer_the_same_404(
    plans_api, db, apps
):
    patient, _, headers = await _patient(db, apps)
    draft = await make_plan(db, patient_id=patient.id, status="draft")
    completed = await make_plan(db, patient_id=patient.id, status="completed")
    others = await make_plan(db, patient_id=(await make_patient(db)).id)

    answers = [
        await plans_api.get(f"/v1/me/plans/{plan_id}", headers=headers)
        for plan_id in (others.id, draft.id, completed.id, uuid.uuid4())
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
    assert all("etag" not in a.headers for a in answers)
    bodies = [_without_instance(a.json()) for a in answers]
    assert bodies == [bodies[-1]] * 4
    assert str(others.id) not in answers[0].text.replace(f"/v1/me/plans/{others.id}", "")


@pytest.mark.parametrize("role", ["front_desk", "therapist", "admin"])
async def test_staff_are_refused_both_routes(plans_api, db, apps, role):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    headers = await headers_for(db, apps, role)

    listed = await plans_api.get("/v1/me/plans", headers=headers)
    read = await plans_api.get(f"/v1/me/plans/{plan.id}", headers=headers)

    assert (listed.status_code, read.status_code) == (403, 403)
    assert "Test therapist" not in listed.text + read.text


# -- what the patient reads ------------------------------------------------------------------


async def _plan_with_staff_notes(db, patient_id: uuid.UUID) -> PlanOfCare:
    """The factory's neuroma plan with a staff note on the plan and on every exercise, a note
    for the patient on one, and the protocol's advice on when to call."""
    plan = await make_plan(db, patient_id=patient_id, staff_note=STAFF_SECRET)
    program = [item | {"staff_note": f"{STAFF_SECRET} {item['slug']}"} for item in plan.program]
    program[0] |= {"patient_note": "Sit down for these at first.", "cues": ["Toes long"]}
    plan.program = program
    plan.red_flag_criteria = plan.red_flag_criteria | {"advice": ADVICE}
    db.add(plan)
    await db.commit()
    return plan


async def test_the_patient_view_holds_no_staff_note_and_only_these_fields(plans_api, db, apps):
    patient, _, headers = await _patient(db, apps)
    plan = await _plan_with_staff_notes(db, patient.id)

    listed = await plans_api.get("/v1/me/plans", headers=headers)
    read = await plans_api.get(f"/v1/me/plans/{plan.id}", headers=headers)

    for response in (listed, read):
        assert response.status_code == 200, response.text
        assert STAFF_SECRET not in response.text
        assert "staff_note" not in response.text
        assert "Walks 30 minutes" not in response.text  # goals are the therapist's
    view = read.json()
    assert listed.json()["items"] == [view]
    MyPlanRead.model_validate(view)  # what the document says is what the patient gets
    assert set(view) == PLAN_KEYS
    for exercise in view["home"] + view["clinic"]:
        assert set(exercise) == EXERCISE_KEYS
        assert set(exercise["dosage"]) == DOSAGE_KEYS
    assert view["when_to_call"] == ADVICE
    assert view["patient_note"] == "Go gently on the first week."
    assert view["home"][0]["patient_note"] == "Sit down for these at first."
    assert view["home"][0]["cues"] == ["Toes long"]
    assert view["diagnoses"] == ["G57.62"]
    assert view["education"] == [
        {"slug": "footwear", "title": "Wide toe-box shoes", "text": "Wear roomy shoes."}
    ]
    assert (view["therapist_name"], view["location"]) == ("Test therapist", "gaithersburg")
    assert (view["frequency_per_week"], view["duration_weeks"]) == (2, 6)
    assert view["start_date"] == plan.start_date.isoformat()
    assert view["certification_end"] == plan.certification_end.isoformat()


async def test_the_neuroma_program_in_parts_and_in_words(plans_api, db, apps):
    patient, _, headers = await _patient(db, apps)
    plan = await make_plan(db, patient_id=patient.id)

    view = (await plans_api.get(f"/v1/me/plans/{plan.id}", headers=headers)).json()

    home = [(e["slug"], e["dosage_text"]) for e in view["home"]]
    assert home == [
        ("toe-spreads", "2 sets of 10, hold 5 s, each foot, once a day, 5 days a week"),
        ("gastroc-soleus-stretch", "3 times, hold 30 s, each foot, twice a day, every day"),
        ("single-leg-balance", "3 times, hold 30 s, each foot, once a day, 5 days a week"),
    ]
    assert [(e["slug"], e["dosage_text"]) for e in view["clinic"]] == [
        ("toe-press-downs", "3 sets of 12, each foot")
    ]
    press = view["clinic"][0]
    assert press["equipment"] == ["cable-machine", "foot-strap"]
    assert press["name"] == "Toe press-downs" and press["precautions"].startswith("Keep the heel")
    spreads = view["home"][0]
    assert spreads["dosage"] == {
        "sets": 2,
        "sets_max": None,
        "reps": 10,
        "reps_max": None,
        "hold_seconds": 5,
        "hold_seconds_max": None,
        "times_per_day": 1,
        "days_per_week": 5,
        "side": "each",
    }
    assert spreads["instructions"] and spreads["purpose"]


async def test_the_protocols_default_ranges_in_words(plans_api, db, apps):
    patient, _, headers = await _patient(db, apps)
    protocol = (await db.exec(select(Protocol).where(Protocol.slug == "mortons-neuroma"))).one()
    defaults = {e["slug"]: e["dosage"] for e in protocol.exercises}
    plan = await make_plan(db, patient_id=patient.id)
    plan.program = [item | {"dosage": defaults[item["slug"]]} for item in plan.program]
    db.add(plan)
    await db.commit()

    view = (await plans_api.get(f"/v1/me/plans/{plan.id}", headers=headers)).json()

    assert {e["slug"]: e["dosage_text"] for e in view["home"] + view["clinic"]} == {
        "toe-spreads": "1 set of 10-15, hold 3-5 s, each foot, once a day, 5 days a week",
        "gastroc-soleus-stretch": "2-3 times, hold 20-30 s, each foot, once a day, every day",
        "single-leg-balance": "2-3 times, hold 20-30 s, each foot, once a day, 5 days a week",
        "toe-press-downs": "each foot",
    }


async def test_an_old_row_is_served_as_stored(plans_api, db, apps):
    """A read model never validates: a program item written under older rules (no cues, no
    part, a dosage over today's bounds, a key no longer known) is shown, not refused."""
    patient, _, headers = await _patient(db, apps)
    old_item = {
        "slug": "toe-taps",
        "name": "Toe taps",
        "purpose": "Wakes up the toes.",
        "instructions": "Tap the toes.",
        "dosage": {"reps": 150, "side": "each", "tempo": "slow"},
        "retired_field": True,
    }
    plan = await make_plan(
        db, patient_id=patient.id, program=[old_item], education=[{"title": "Rest"}]
    )

    response = await plans_api.get(f"/v1/me/plans/{plan.id}", headers=headers)

    assert response.status_code == 200, response.text
    view = response.json()
    assert view["home"] == []
    [taps] = view["clinic"]  # no part: done with the therapist, never alone at home
    assert taps["dosage"]["reps"] == 150 and taps["cues"] == [] and taps["precautions"] is None
    assert taps["dosage_text"] == "150 times, each foot"
    assert "retired_field" not in response.text and "tempo" not in response.text
    assert view["education"] == [{"slug": None, "title": "Rest", "text": None}]


# -- paging and audit ------------------------------------------------------------------------


async def test_pages_newest_start_first_with_a_cursor(plans_api, db, apps):
    patient, _, headers = await _patient(db, apps)
    today = date.today()
    plans = [
        await make_plan(db, patient_id=patient.id, start_date=today - timedelta(days=days))
        for days in (30, 10, 20)
    ]

    first = (await plans_api.get("/v1/me/plans?limit=2", headers=headers)).json()
    second = await plans_api.get(
        "/v1/me/plans", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
    )

    assert second.status_code == 200, second.text
    ids = [p["id"] for p in first["items"] + second.json()["items"]]
    assert ids == [str(plans[1].id), str(plans[2].id), str(plans[0].id)]
    assert first["next_cursor"] and second.json()["next_cursor"] is None


async def test_every_request_writes_one_audit_row(plans_api, db, apps):
    patient, account, headers = await _patient(db, apps)
    older = await make_plan(db, patient_id=patient.id, start_date=date.today() - timedelta(60))
    newer = await make_plan(db, patient_id=patient.id, status="on_hold")
    draft = await make_plan(db, patient_id=patient.id, status="draft")

    await plans_api.get("/v1/me/plans", headers=headers)
    await plans_api.get(f"/v1/me/plans/{newer.id}", headers=headers)
    await plans_api.get(f"/v1/me/plans/{draft.id}", headers=headers)

    rows = await _audit_rows(db, account)
    seen = [
        (r.action, r.outcome, r.patient_id, r.actor_role, r.entity_type, r.entity_id, r.detail)
        for r in rows
    ]
    assert seen == [
        (
            "me.plans.list",
            "success",
            patient.id,
            "patient",
            None,
            None,
            {"plan_ids": [str(newer.id), str(older.id)]},
        ),
        ("me.plans.read", "success", patient.id, "patient", "plan", str(newer.id), {}),
        ("me.plans.read", "denied", patient.id, "patient", "plan", str(draft.id), {"status": 404}),
    ]


async def test_a_refused_role_writes_no_audit_row(plans_api, db, apps):
    account = await make_account(db, role="therapist")

    await plans_api.get("/v1/me/plans", headers=bearer(token_for(apps, account)))

    assert await _audit_rows(db, account) == []


# -- speed: the list is one indexed query ----------------------------------------------------


async def test_the_list_query_uses_the_patient_index_on_a_populated_table(db):
    """With 20,000 other patients' plans analysed, the planner still goes by
    ix_plan_of_care_patient_id and never reads the table through (bench/ times the route)."""
    template = await make_plan(db, patient_id=uuid.uuid4())
    copied = [
        c.name
        for c in PlanOfCare.__table__.columns  # type: ignore[attr-defined]
        if c.name not in ("id", "patient_id", "planned_visits")
    ]
    names = ", ".join(copied)
    await db.exec(
        text(
            f"INSERT INTO plans.plan_of_care (id, patient_id, {names}) "  # noqa: S608 (column names)
            f"SELECT gen_random_uuid(), gen_random_uuid(), {names} FROM plans.plan_of_care, "
            "generate_series(1, 20000) WHERE id = :template"
        ).bindparams(template=template.id)
    )
    await db.exec(text("ANALYZE plans.plan_of_care"))
    statement = service.own_plans_statement(patient_id=template.patient_id, limit=50, cursor=None)
    compiled = statement.compile(dialect=db.bind.dialect, compile_kwargs={"literal_binds": True})

    plan = "\n".join(row[0] for row in (await db.exec(text(f"EXPLAIN {compiled}"))).all())

    assert "ix_plan_of_care_patient_id" in plan, plan
    assert "Seq Scan" not in plan, plan
