"""A patient with a login and a plan of care of their own, for the home-session tests."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.patients.models import Patient
from services.plans.models import PlanOfCare
from tests.factories import bearer, make_account, make_patient, token_for
from tests.plans.factories import make_plan

CLINIC_ZONE = ZoneInfo("America/New_York")  # make_plan's clinic, Gaithersburg


def clinic_today() -> date:
    return datetime.now(CLINIC_ZONE).date()


@dataclass
class HomeWorld:
    patient: Patient
    plan: PlanOfCare
    headers: dict[str, str]  # the patient's

    @property
    def sessions(self) -> str:
        return f"/v1/plans/{self.plan.id}/sessions"


async def patient_with_plan(db, apps, **plan_fields: Any) -> HomeWorld:
    patient = await make_patient(db)
    account = await make_account(db, role="patient", patient=patient)
    plan = await make_plan(db, patient_id=patient.id, **plan_fields)
    return HomeWorld(patient, plan, bearer(token_for(apps, account)))


def a_log(day: date, *, pain: int = 2, **fields: Any) -> dict[str, Any]:
    return {"performed_on": day.isoformat(), "exercises": ["toe-spreads"], "pain": pain} | fields
