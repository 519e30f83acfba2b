"""Appointments as FHIR R4: one (`GET /v1/appointments/{id}/fhir`) as an Appointment valid
against the R4B model in each of our statuses, its codes in the FHIR value sets
(tests/fhir_checks.py), with the access of the JSON read; and a patient's own visits to
come (`GET /v1/me/appointments/fhir`) as a searchset Bundle, a page at a time."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from services.scheduling.models import AuditEvent
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.fhir_checks import valid_appointment, valid_bundle
from tests.scheduling.booking import NOW, fix_clock, make_appointment, make_hours

FHIR_JSON = "application/fhir+json"
WEDNESDAY_10 = datetime(2026, 12, 9, 15, tzinfo=UTC)  # 10:00 in New York
STATUS = {
    "booked": "booked",
    "checked_in": "arrived",
    "completed": "fulfilled",
    "no_show": "noshow",
    "cancelled": "cancelled",
}


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)
    monkeypatch.setattr("services.scheduling.fhir.routes.utcnow", lambda: NOW)


async def _visit(db, patient_id=None, *, start=WEDNESDAY_10, **fields):
    therapist = await make_account(db, role="therapist")
    await make_hours(db, therapist.id)
    patient_id = patient_id or (await make_patient(db)).id
    return await make_appointment(
        db, patient_id=patient_id, therapist_id=therapist.id, start=start, **fields
    )


def _cancelled(status: str) -> dict:
    """What a cancelled visit holds besides its status (the table's checks ask for it)."""
    if status != "cancelled":
        return {}
    return {"cancel_reason": "Patient has the flu", "cancelled_at": NOW}


@pytest.mark.parametrize("status", list(STATUS))
async def test_each_status_is_a_valid_appointment_in_the_value_sets(
    scheduling_api, apps, db, status
):
    visit = await _visit(db, status=status, **_cancelled(status))

    response = await scheduling_api.get(
        f"/v1/appointments/{visit.id}/fhir", headers=await headers_for(db, apps, "front_desk")
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FHIR_JSON
    assert response.headers["etag"] == '"1"'
    resource = response.json()
    valid_appointment(resource)  # the value sets too
    assert (resource["resourceType"], resource["id"]) == ("Appointment", str(visit.id))
    assert resource["status"] == STATUS[status]
    assert resource["start"] == "2026-12-09T10:00:00-05:00"
    assert resource["end"] == "2026-12-09T10:45:00-05:00"
    assert resource["minutesDuration"] == 45
    assert resource["appointmentType"] == {"text": "Treatment visit"}
    assert resource["participant"] == [
        {"actor": actor, "required": "required", "status": "accepted"}
        for actor in (
            {"reference": f"Patient/{visit.patient_id}"},
            {"reference": f"Practitioner/{visit.therapist_id}"},
            {"reference": "Location/gaithersburg", "display": "Gaithersburg clinic"},
        )
    ]
    reason = {"cancelationReason": {"text": "Patient has the flu"}} if status == "cancelled" else {}
    assert {k: v for k, v in resource.items() if k == "cancelationReason"} == reason
    assert "supportingInformation" not in resource


async def test_a_visit_of_a_plan_points_at_its_care_plan(scheduling_api, apps, db):
    plan_id = uuid.uuid4()
    visit = await _visit(db, plan_id=plan_id)

    response = await scheduling_api.get(
        f"/v1/appointments/{visit.id}/fhir", headers=await headers_for(db, apps, "admin")
    )

    resource = response.json()
    valid_appointment(resource)  # R4 allows a CarePlan here, not in basedOn
    assert resource["supportingInformation"] == [{"reference": f"CarePlan/{plan_id}"}]
    assert "basedOn" not in resource


async def test_the_fhir_read_agrees_with_the_json_read(scheduling_api, apps, db):
    visit = await _visit(db)
    headers = await headers_for(db, apps, "front_desk")

    fhir = await scheduling_api.get(f"/v1/appointments/{visit.id}/fhir", headers=headers)
    json_read = await scheduling_api.get(f"/v1/appointments/{visit.id}", headers=headers)

    assert fhir.headers["etag"] == json_read.headers["etag"]
    resource, read = fhir.json(), json_read.json()
    assert (resource["start"], resource["end"]) == (read["start"], read["end"])
    assert resource["meta"]["versionId"] == str(read["version"])


async def test_a_patient_reads_their_own_and_another_patients_is_an_unknown_id(
    scheduling_api, apps, db
):
    login = await make_account(db, role="patient")
    headers = bearer(token_for(apps, login))
    own = await _visit(db, login.patient_id)
    theirs = await _visit(db)

    mine = await scheduling_api.get(f"/v1/appointments/{own.id}/fhir", headers=headers)
    other = await scheduling_api.get(f"/v1/appointments/{theirs.id}/fhir", headers=headers)
    nobody = await scheduling_api.get(f"/v1/appointments/{uuid.uuid4()}/fhir", headers=headers)

    assert mine.status_code == 200, mine.text
    valid_appointment(mine.json())
    assert other.status_code == nobody.status_code == 404
    assert other.json() | {"instance": None} == nobody.json() | {"instance": None}
    assert "etag" not in other.headers
    assert str(theirs.patient_id) not in other.text
    trail = select(AuditEvent).where(
        AuditEvent.patient_id.in_([own.patient_id, theirs.patient_id])  # type: ignore[attr-defined]
    )
    rows = (await db.exec(trail.order_by(AuditEvent.id))).all()
    assert [(r.action, r.outcome, r.patient_id) for r in rows] == [
        ("appointment.fhir.read", "success", own.patient_id),
        ("appointment.fhir.read", "denied", theirs.patient_id),
    ]


async def test_a_therapist_reads_the_visits_of_their_clinics_only(scheduling_api, apps, db):
    therapist = await make_account(db, role="therapist")
    await make_hours(db, therapist.id, location="frederick")
    headers = bearer(token_for(apps, therapist))
    elsewhere = await _visit(db)  # at Gaithersburg, with another therapist

    response = await scheduling_api.get(f"/v1/appointments/{elsewhere.id}/fhir", headers=headers)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def _patient_with_visits(db):
    """A patient's login with three visits to come, one past, one cancelled; and another
    patient's visit."""
    login = await make_account(db, role="patient")
    starts = [WEDNESDAY_10 + timedelta(days=d) for d in (7, 0, 1)]
    upcoming = [await _visit(db, login.patient_id, start=s) for s in starts]
    await _visit(db, login.patient_id, start=NOW - timedelta(days=2), status="completed")
    cancelled = {"status": "cancelled", **_cancelled("cancelled")}
    await _visit(db, login.patient_id, start=WEDNESDAY_10 + timedelta(days=2), **cancelled)
    await _visit(db)
    return login, sorted(upcoming, key=lambda v: v.starts_at)


async def test_a_patients_visits_to_come_are_a_searchset_bundle(scheduling_api, apps, db):
    login, upcoming = await _patient_with_visits(db)

    response = await scheduling_api.get(
        "/v1/me/appointments/fhir", headers=bearer(token_for(apps, login))
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FHIR_JSON
    bundle = response.json()
    valid_bundle(bundle)
    assert bundle["type"] == "searchset"
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(v.id) for v in upcoming]
    assert {e["search"]["mode"] for e in bundle["entry"]} == {"match"}
    assert {e["resource"]["status"] for e in bundle["entry"]} == {"booked"}
    assert bundle["link"] == [{"relation": "self", "url": "/v1/me/appointments/fhir?limit=50"}]


async def test_the_next_link_pages_through_them(scheduling_api, apps, db):
    login, upcoming = await _patient_with_visits(db)
    headers = bearer(token_for(apps, login))

    first = (await scheduling_api.get("/v1/me/appointments/fhir?limit=2", headers=headers)).json()
    links = {link["relation"]: link["url"] for link in first["link"]}
    second = (await scheduling_api.get(links["next"], headers=headers)).json()

    valid_bundle(first)
    valid_bundle(second)
    assert links["self"] == "/v1/me/appointments/fhir?limit=2"
    assert [link["relation"] for link in second["link"]] == ["self"]
    seen = [e["resource"]["id"] for page in (first, second) for e in page["entry"]]
    assert seen == [str(v.id) for v in upcoming]


async def test_no_visits_to_come_is_an_empty_searchset(scheduling_api, apps, db):
    headers = await headers_for(db, apps, "patient")

    response = await scheduling_api.get("/v1/me/appointments/fhir", headers=headers)

    assert response.status_code == 200
    bundle = response.json()
    valid_bundle(bundle)
    assert "entry" not in bundle  # FHIR sends no empty list


async def test_the_list_read_is_on_each_patients_trail(scheduling_api, apps, db):
    login, upcoming = await _patient_with_visits(db)

    await scheduling_api.get("/v1/me/appointments/fhir", headers=bearer(token_for(apps, login)))

    trail = select(AuditEvent).where(AuditEvent.patient_id == login.patient_id)
    (row,) = (await db.exec(trail)).all()
    assert (row.action, row.actor_user_id) == ("me.appointments.fhir.read", login.id)
    assert row.detail["appointment_ids"] == [str(v.id) for v in upcoming]


@pytest.mark.parametrize(
    ("path", "kind", "etag"),
    [
        ("/v1/appointments/{appointment_id}/fhir", "Appointment", True),
        ("/v1/me/appointments/fhir", "Bundle", False),
    ],
)
def test_the_document_declares_fhir_json(apps, path, kind, etag):
    operation = apps["scheduling"].openapi()["paths"][path]["get"]
    answer = operation["responses"]["200"]
    assert list(answer["content"]) == [FHIR_JSON]
    assert answer["content"][FHIR_JSON]["schema"]["properties"]["resourceType"]["enum"] == [kind]
    assert ("ETag" in answer.get("headers", {})) == etag
