"""A retried booking or hold answered from its stored answer (Idempotency-Key) shows the
record again: one `request.replay` row on the patient's trail, naming the record and the
first action, and nothing booked or held twice."""

import pytest
from sqlmodel import col, select

from services.scheduling.models import AuditEvent
from tests.scheduling.booking import a_clinic, fix_clock


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


async def _replays(db, entity_id: str) -> list[AuditEvent]:
    statement = select(AuditEvent).where(
        col(AuditEvent.action) == "request.replay", col(AuditEvent.entity_id) == entity_id
    )
    return list((await db.exec(statement)).all())


@pytest.mark.parametrize(
    ("path", "of", "entity_type"),
    [("/v1/appointments", "appointment.book", "appointment"), ("/v1/holds", "hold.create", "hold")],
)
async def test_a_replay_is_on_the_patients_trail(scheduling_api, apps, db, path, of, entity_type):
    clinic = await a_clinic(scheduling_api, apps, db)
    body = clinic.booking(start="2026-12-08T10:00:00-05:00")
    headers = clinic.desk | {"Idempotency-Key": f"replay-{entity_type}"}
    first = await scheduling_api.post(path, json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await scheduling_api.post(path, json=body, headers=headers)
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content

    (row,) = await _replays(db, first.json()["id"])
    assert (row.entity_type, row.patient_id, row.detail) == (
        entity_type,
        clinic.patient.id,
        {"of": of},
    )
