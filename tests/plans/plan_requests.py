"""Requests of the plans-of-care tests: a valid body to create a neuroma plan, and the calls
that create, sign and read plans over HTTP."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from tests.factories import bearer, make_account, make_patient, token_for

START = date.today()


def neuroma_body(patient: uuid.UUID, /, **fields: Any) -> dict[str, Any]:
    """A plan from the neuroma protocol, 2 a week for 6 weeks at Gaithersburg; the patient
    has a wall at home (for the calf stretch)."""
    body = {
        "patient_id": str(patient),
        "protocol": "mortons-neuroma",
        "location": "gaithersburg",
        "frequency_per_week": 2,
        "duration_weeks": 6,
        "start_date": START.isoformat(),
        "diagnoses": [{"code": "G57.62"}],
        "home_equipment": ["wall"],
        "staff_note": "Staff only: third web space, left foot.",
        "patient_note": "Go gently the first week.",
    }
    return body | fields


async def therapist(db, apps, name: str = "Dana Okafor, PT") -> tuple[Any, dict[str, str]]:
    account = await make_account(db, role="therapist", display_name=name)
    return account, bearer(token_for(apps, account))


async def staff(db, apps, role: str) -> dict[str, str]:
    return bearer(token_for(apps, await make_account(db, role=role)))


async def create_plan(
    api: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await api.post("/v1/plans", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def signed_plan(db, apps, api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    """A neuroma plan created and signed over HTTP by a fresh therapist: version 2."""
    _, headers = await therapist(db, apps)
    patient = await make_patient(db)
    plan = await create_plan(api, headers, neuroma_body(patient.id))
    signed = await api.post(f"/v1/plans/{plan['id']}/activate", headers=headers)
    assert signed.status_code == 200, signed.text
    return signed.json(), headers


def if_match(plan: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{plan["version"]}"'}


def days(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


# What the front desk reads of a plan (matrix row D4): who, where, when and how many, nothing
# clinical.
SCHEDULING_FACTS = {
    "view",
    "id",
    "patient_id",
    "therapist_id",
    "therapist_name",
    "location",
    "status",
    "frequency_per_week",
    "duration_weeks",
    "planned_visits",
    "completed_visits",
    "visits_since_progress_report",
    "certification_start",
    "certification_end",
    "authorization",
    "version",
}
