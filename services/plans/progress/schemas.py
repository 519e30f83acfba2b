"""Bodies of progress reports, and of the visit outcomes scheduling reports."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from services.common.schemas import Strict
from services.plans.content import GoalStatus

VisitOutcome = Literal["completed", "undone"]


class GoalStatusIn(Strict):
    """Where one goal of the plan stands."""

    goal_id: uuid.UUID = Field(description="A goal of the plan (its `id` in the plan's goals).")
    status: GoalStatus
    note: str | None = Field(default=None, max_length=1000)


class ProgressReportCreate(Strict):
    """A progress report: where each goal named stands, and a note. The goals named take
    these statuses on the plan."""

    goal_statuses: list[GoalStatusIn] = Field(min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=4000)

    @field_validator("goal_statuses")
    @classmethod
    def _each_goal_once(cls, statuses: list[GoalStatusIn]) -> list[GoalStatusIn]:
        if len({s.goal_id for s in statuses}) != len(statuses):
            raise ValueError("name each goal at most once")
        return statuses


class GoalStatusRead(BaseModel):
    goal_id: uuid.UUID
    status: str
    note: str | None = None


class ProgressReportRead(BaseModel):
    """A progress report as written. `visits_covered`: the completed visits since the report
    before it; `completed_visits`: the plan's total when it was written."""

    id: uuid.UUID
    plan_id: uuid.UUID
    number: int
    goal_statuses: list[GoalStatusRead]
    note: str | None
    visits_covered: int
    completed_visits: int
    created_by: uuid.UUID
    created_at: datetime


class VisitOutcomeCreate(Strict):
    """A visit outcome scheduling reports: the appointment was completed, or its completion
    undone. `event_id` makes a repeat harmless."""

    event_id: uuid.UUID = Field(description="Unique per outcome: a repeat changes nothing.")
    plan_id: uuid.UUID
    appointment_id: uuid.UUID
    outcome: VisitOutcome
    occurred_at: AwareDatetime = Field(description="When it happened, with its offset.")
    visit_date: date = Field(description="The visit's date, in the clinic's time zone.")


class VisitOutcomeRead(BaseModel):
    """The outcome as first recorded: a repeat of its event id answers this again."""

    event_id: uuid.UUID
    plan_id: uuid.UUID
    appointment_id: uuid.UUID
    outcome: str
    occurred_at: datetime
    received_at: datetime
