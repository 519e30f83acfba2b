"""The service-only batch lookup (`POST /v1/patient-names`): scheduling asks the names of
a page of appointments' patients in one call. It answers each patient found (display name,
initials, status), leaves unknown ids out, takes only scheduling's service token, refuses
bad lists with 422, and puts every patient it names on that patient's trail, linked to the
row of the request."""

import uuid
from datetime import timedelta

import pytest
from sqlmodel import col, select

from services.common.columns import utcnow
from services.patients.models import AuditEvent
from tests.factories import bearer, headers_for, make_patient

URL = "/v1/patient-names"


def _service(apps, name: str = "scheduling") -> dict[str, str]:
    signer = apps["patients"].state.signer
    return bearer(signer.service_token(service=name, lifetime=timedelta(minutes=5)))


async def test_found_patients_are_named_and_unknown_ids_left_out(patients_api, apps, db):
    liz = await make_patient(db, given_name="Elizabeth", preferred_name="Liz", family_name="Moreau")
    archived = await make_patient(
        db,
        given_name="Ōtake",
        family_name="d'Arcy",
        status="archived",
        archived_at=utcnow(),
        archive_reason="moved away",
    )
    ids = [str(liz.id), str(uuid.uuid4()), str(archived.id)]
    response = await patients_api.post(URL, json={"ids": ids}, headers=_service(apps))
    assert response.status_code == 200, response.text
    expected = [
        {"id": str(liz.id), "display_name": "Liz Moreau", "initials": "L.M.", "status": "active"},
        {
            "id": str(archived.id),
            "display_name": "Ōtake d'Arcy",
            "initials": "Ō.D.",
            "status": "archived",
        },
    ]
    assert response.json()["items"] == sorted(expected, key=lambda item: item["id"])


async def test_only_schedulings_token_is_taken(patients_api, apps, db):
    patient = await make_patient(db)
    body = {"ids": [str(patient.id)]}
    request_id = {"X-Request-ID": f"lookup-{uuid.uuid4()}"}
    refused = [
        await patients_api.post(URL, json=body, headers=_service(apps, "plans") | request_id),
        *[
            await patients_api.post(
                URL, json=body, headers=await headers_for(db, apps, role) | request_id
            )
            for role in ("patient", "front_desk", "therapist", "admin")
        ],
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert all(patient.family_name not in r.text for r in refused)
    assert (await patients_api.post(URL, json=body)).status_code == 401
    assert await _rows(db, "patient.lookup", request_id["X-Request-ID"]) == []


@pytest.mark.parametrize(
    "ids",
    [[], ["not-a-uuid"], [str(uuid.uuid4())] * 2, [str(uuid.uuid4()) for _ in range(201)]],
    ids=["none", "not an id", "one twice", "201"],
)
async def test_bad_lists_are_refused(patients_api, apps, ids):
    response = await patients_api.post(URL, json={"ids": ids}, headers=_service(apps))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"][:2] == ["body", "ids"]


async def test_two_hundred_ids_are_answered(patients_api, apps, db):
    patients = [await make_patient(db) for _ in range(3)]
    ids = [str(p.id) for p in patients] + [str(uuid.uuid4()) for _ in range(197)]
    response = await patients_api.post(URL, json={"ids": ids}, headers=_service(apps))
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 3


async def test_each_patient_named_is_on_their_trail(patients_api, apps, db):
    named = [await make_patient(db) for _ in range(2)]
    bystander = await make_patient(db)
    ids = [str(p.id) for p in named] + [str(uuid.uuid4())]
    request_id = f"lookup-{uuid.uuid4()}"
    headers = _service(apps) | {"X-Request-ID": request_id}
    assert (await patients_api.post(URL, json={"ids": ids}, headers=headers)).status_code == 200

    rows = await _rows(db, "patient.lookup", request_id)
    (summary,) = [r for r in rows if r.patient_id is None]
    assert summary.detail == {"asked": 3, "returned": 2}
    per_patient = [r for r in rows if r.patient_id is not None]
    assert sorted(r.patient_id for r in per_patient) == sorted(p.id for p in named)
    assert bystander.id not in {r.patient_id for r in rows}
    for row in [summary, *per_patient]:
        assert (row.actor_role, row.request_id, row.outcome) == ("service", request_id, "success")
    assert {r.detail["lookup_event_id"] for r in per_patient} == {summary.id}


async def _rows(db, action: str, request_id: str) -> list[AuditEvent]:
    """This test's rows only: tests running beside it (the day sheet's) write lookups too."""
    statement = select(AuditEvent).where(
        col(AuditEvent.action) == action, col(AuditEvent.request_id) == request_id
    )
    return list((await db.exec(statement.order_by(col(AuditEvent.id)))).all())
