"""What the therapist queues take and answer."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

Due = Literal["recertification", "progress-report", "authorization"]
PlanStatus = Literal["draft", "active", "on_hold", "completed", "discontinued"]


@dataclass(frozen=True, slots=True)
class PlanQueue:
    """Which plans to list: every filter that is not None applies."""

    patient_id: uuid.UUID | None = None
    therapist_id: uuid.UUID | None = None
    location: str | None = None
    status: PlanStatus | None = None
    due: Due | None = None
    within_days: int = 14  # for due=recertification
    flagged: bool | None = None


class PlanSummary(BaseModel):
    """A plan in a queue: who, where, and its dates and counts. `due_reason` says, with a
    `due` filter, why the plan is in that queue."""

    id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    therapist_name: str
    location: str
    status: str
    start_date: date
    certification_start: date
    certification_end: date
    frequency_per_week: int
    duration_weeks: int
    planned_visits: int | None
    completed_visits: int
    visits_since_progress_report: int
    progress_reports: int
    last_progress_report_at: datetime | None
    authorization_visits: int | None
    authorization_visits_left: int | None
    authorization_valid_from: date | None
    authorization_valid_until: date | None
    open_red_flags: int
    due_reason: str | None = None
