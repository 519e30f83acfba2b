"""The shared pieces plans and scheduling build on: audit trail, visibility, lookups, cursors."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from services.common.audit import Origin, append_only_statements
from services.common.auth import Caller
from services.common.errors import Forbidden, NotFound
from services.common.lookup import one_or_404
from services.common.pagination import before, decode_cursor, page_of
from services.common.visibility import PatientScoped
from services.patients.audit import trail
from services.patients.models import AuditEvent, Patient
from tests.factories import make_patient

SCOPE = PatientScoped(staff_roles=("therapist",), not_found="No such plan.")
ORIGIN = Origin(client_ip="192.0.2.1")


def caller(role, patient_id=None):
    return Caller(uuid.uuid4(), role, patient_id, "token")


async def test_the_append_only_helper_refuses_update_delete_and_truncate(db):
    await db.exec(text("CREATE TABLE public.scratch_audit (id int, note text)"))
    for statement in append_only_statements("public", "scratch_audit"):
        await db.exec(text(statement))
    await db.exec(text("INSERT INTO public.scratch_audit VALUES (1, 'kept')"))
    for change in (
        "UPDATE public.scratch_audit SET note = 'changed'",
        "DELETE FROM public.scratch_audit",
        "TRUNCATE public.scratch_audit",
    ):
        nested = await db.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            await db.exec(text(change))
        await nested.rollback()
    rows = (await db.exec(text("SELECT note FROM public.scratch_audit"))).all()
    assert [r.note for r in rows] == ["kept"]


def test_a_patient_sees_only_their_own_and_others_hear_404():
    own = uuid.uuid4()
    assert SCOPE.refusal(caller("patient", own), own) is None
    assert isinstance(SCOPE.refusal(caller("patient", own), uuid.uuid4()), NotFound)
    assert SCOPE.refusal(caller("therapist"), own) is None
    refused = SCOPE.refusal(caller("front_desk"), own)
    assert isinstance(refused, Forbidden)


async def test_a_refusal_is_audited_even_though_the_request_rolls_back():
    patient_id, intruder = uuid.uuid4(), caller("patient", uuid.uuid4())
    with pytest.raises(NotFound) as raised:
        SCOPE.check(intruder, patient_id, trail=trail, action="plan.read", origin=ORIGIN)
    (row,) = raised.value.records_to_keep
    assert isinstance(row, AuditEvent)
    assert (row.action, row.outcome, row.patient_id) == ("plan.read", "denied", patient_id)
    assert (row.actor_user_id, row.client_ip, row.detail) == (
        intruder.user_id,
        "192.0.2.1",
        {"status": 404},
    )


async def test_one_or_404_finds_the_row_or_answers_404(db):
    patient = await make_patient(db)
    assert (await one_or_404(db, Patient, patient.id, detail="none")).id == patient.id
    with pytest.raises(NotFound, match="No such patient"):
        await one_or_404(db, Patient, uuid.uuid4(), detail="No such patient.")


async def test_a_descending_cursor_walks_newest_first_without_gaps_or_repeats(db):
    for n in range(5):
        await trail.record(db, action="test.cursor", origin=ORIGIN, detail={"n": n})
    await db.flush()
    statement = select(AuditEvent).where(AuditEvent.action == "test.cursor")
    seen, cursor = [], None
    while True:
        page = statement
        if cursor:
            page = page.where(before([col(AuditEvent.id)], decode_cursor(cursor, [int])))
        rows = (await db.exec(page.order_by(col(AuditEvent.id).desc()).limit(3))).all()
        items, cursor = page_of(rows, 2, lambda e: (e.id,))
        seen += [e.detail["n"] for e in items]
        if cursor is None:
            break
    assert seen == [4, 3, 2, 1, 0]
