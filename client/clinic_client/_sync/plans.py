# Generated from _async/plans.py by `make client-code` (ops/client_code.py): do not edit.
"""The plans service: the exercise library, condition protocols, plans of care, their home
sessions and progress reports.

A patient's own plans are under `client.me`; the route only scheduling may call
(`/v1/visit-outcomes`) is not here.
"""

from collections.abc import Iterator
from datetime import date
from typing import Literal
from uuid import UUID

from clinic_client._sync.engine import Area
from clinic_client.models.plans import (
    AdherenceRead,
    DiscontinueRequest,
    ExerciseCreate,
    ExerciseRead,
    ExerciseUpdate,
    HomeSessionCreate,
    HomeSessionRead,
    HomeSessionUpdate,
    PlanCreate,
    PlanRead,
    PlanSchedulingRead,
    PlanSummary,
    PlanUpdate,
    ProgressReportCreate,
    ProgressReportRead,
    ProtocolCreate,
    ProtocolRead,
    ProtocolUpdate,
    RecertifyRequest,
    RedFlagAcknowledge,
    RedFlagRead,
    RevisionRead,
    RevisionSummary,
    StatusNote,
)
from clinic_client.operations import PLANS

Version = int | str  # a record's `version`, or the ETag read with it
PlanStatus = Literal["draft", "active", "on_hold", "completed", "discontinued"]
Queue = Literal["recertification", "progress-report", "authorization"]
HandoutType = Literal["text/html", "application/pdf"]


class Exercises(Area):
    """The exercise library."""

    @PLANS.get("/v1/exercises")
    def list(
        self,
        q: str | None = None,
        *,
        tag: str | None = None,
        equipment: str | None = None,
        setting: Literal["home", "clinic", "both"] | None = None,
        body_region: str | None = None,
        include_retired: bool | None = None,
        page_size: int | None = None,
    ) -> Iterator[ExerciseRead]:
        """Exercises whose text holds every word of `q`, by tag, equipment, setting, region."""

    @PLANS.post("/v1/exercises")
    def add(self, exercise: ExerciseCreate) -> ExerciseRead:
        """Add an exercise to the library (admins, therapists)."""

    @PLANS.get("/v1/exercises/{slug}")
    def read(self, slug: str) -> ExerciseRead:
        """One exercise."""

    @PLANS.patch("/v1/exercises/{slug}")
    def change(self, slug: str, change: ExerciseUpdate, *, if_match: Version) -> ExerciseRead:
        """Change an exercise; `if_match`: the `version` you read."""

    @PLANS.delete("/v1/exercises/{slug}")
    def delete(self, slug: str) -> None:
        """Delete an exercise no plan or protocol uses (else retire it)."""

    @PLANS.post("/v1/exercises/{slug}/retire")
    def retire(self, slug: str, *, if_match: Version | None = None) -> ExerciseRead:
        """Retire an exercise: kept where it is used, offered no more."""


class Protocols(Area):
    """Condition protocols: the templates plans of care start from."""

    @PLANS.get("/v1/protocols")
    def list(self, page_size: int | None = None) -> Iterator[ProtocolRead]:
        """Every protocol."""

    @PLANS.post("/v1/protocols")
    def add(self, protocol: ProtocolCreate) -> ProtocolRead:
        """Add a protocol (admins)."""

    @PLANS.get("/v1/protocols/{slug}")
    def read(self, slug: str) -> ProtocolRead:
        """One protocol, `mortons-neuroma` say."""

    @PLANS.patch("/v1/protocols/{slug}")
    def change(self, slug: str, change: ProtocolUpdate, *, if_match: Version) -> ProtocolRead:
        """Change a protocol (admins); `if_match`: the `version` you read."""


class Plans(Area):
    """Plans of care: create, change, sign and move them; revisions, handouts and queues."""

    @PLANS.post("/v1/plans")
    def create(self, plan: PlanCreate, *, idempotency_key: str | None = None) -> PlanRead:
        """Create a draft plan, from a protocol when `plan.protocol` names one."""

    @PLANS.get("/v1/plans")
    def list(
        self,
        *,
        patient_id: UUID | None = None,
        therapist_id: UUID | None = None,
        location: str | None = None,
        status: PlanStatus | None = None,
        due: Queue | None = None,
        within_days: int | None = None,
        flagged: bool | None = None,
        page_size: int | None = None,
    ) -> Iterator[PlanSummary]:
        """Plans by patient, therapist, clinic or status, or a work queue: `due` (with
        `within_days` for recertification) or `flagged=True` (red flags not yet seen)."""

    @PLANS.get("/v1/plans/{plan_id}")
    def read(self, plan_id: UUID) -> PlanRead | PlanSchedulingRead:
        """One plan: the whole of it, or for the front desk its scheduling facts only."""

    @PLANS.patch("/v1/plans/{plan_id}")
    def update(self, plan_id: UUID, change: PlanUpdate, *, if_match: Version) -> PlanRead:
        """Change a plan; on a signed plan this makes a new revision."""

    @PLANS.post("/v1/plans/{plan_id}/activate")
    def activate(self, plan_id: UUID, *, if_match: Version | None = None) -> PlanRead:
        """Sign the plan (it needs diagnoses and a goal): revision 1, active."""

    @PLANS.post("/v1/plans/{plan_id}/hold")
    def hold(
        self, plan_id: UUID, note: StatusNote | None = None, *, if_match: Version | None = None
    ) -> PlanRead:
        """Put an active plan on hold."""

    @PLANS.post("/v1/plans/{plan_id}/resume")
    def resume(self, plan_id: UUID, *, if_match: Version | None = None) -> PlanRead:
        """Resume a plan on hold."""

    @PLANS.post("/v1/plans/{plan_id}/complete")
    def complete(
        self, plan_id: UUID, note: StatusNote | None = None, *, if_match: Version | None = None
    ) -> PlanRead:
        """Close the plan as completed."""

    @PLANS.post("/v1/plans/{plan_id}/discontinue")
    def discontinue(
        self, plan_id: UUID, reason: DiscontinueRequest, *, if_match: Version | None = None
    ) -> PlanRead:
        """Close the plan as discontinued, saying why."""

    @PLANS.post("/v1/plans/{plan_id}/recertify")
    def recertify(
        self,
        plan_id: UUID,
        period: RecertifyRequest | None = None,
        *,
        if_match: Version | None = None,
    ) -> PlanRead:
        """A new certification period (by default from the day after the current one)."""

    @PLANS.get("/v1/plans/{plan_id}/revisions")
    def revisions(self, plan_id: UUID, page_size: int | None = None) -> Iterator[RevisionSummary]:
        """Every signed revision of the plan, newest first."""

    @PLANS.get("/v1/plans/{plan_id}/revisions/{number}")
    def revision(self, plan_id: UUID, number: int) -> RevisionRead:
        """One revision, with the plan as it was then."""

    @PLANS.get("/v1/plans/{plan_id}/handout")
    def handout(self, plan_id: UUID, *, accept: HandoutType = "text/html") -> bytes:
        """The printable home program: HTML, or PDF with `accept="application/pdf"`."""


class HomeSessions(Area):
    """The home exercise sessions a patient logs, their adherence and red flags."""

    @PLANS.post("/v1/plans/{plan_id}/sessions")
    def log(
        self, plan_id: UUID, session: HomeSessionCreate, *, idempotency_key: str | None = None
    ) -> HomeSessionRead:
        """Log a day's home session with its pain score (one a day; patients)."""

    @PLANS.get("/v1/plans/{plan_id}/sessions")
    def list(self, plan_id: UUID, page_size: int | None = None) -> Iterator[HomeSessionRead]:
        """Every logged session of the plan, newest first."""

    @PLANS.get("/v1/plans/{plan_id}/sessions/{session_id}")
    def read(self, plan_id: UUID, session_id: UUID) -> HomeSessionRead:
        """One logged session."""

    @PLANS.patch("/v1/plans/{plan_id}/sessions/{session_id}")
    def correct(
        self, plan_id: UUID, session_id: UUID, change: HomeSessionUpdate, *, if_match: Version
    ) -> HomeSessionRead:
        """Correct a session the same day it was logged."""

    @PLANS.get("/v1/plans/{plan_id}/adherence")
    def adherence(
        self, plan_id: UUID, *, from_: date | None = None, to: date | None = None
    ) -> AdherenceRead:
        """Sessions against the program's target, by week and overall, and the pain trend."""

    @PLANS.get("/v1/plans/{plan_id}/red-flags")
    def red_flags(
        self, plan_id: UUID, *, open: bool | None = None, page_size: int | None = None
    ) -> Iterator[RedFlagRead]:
        """The plan's red flags; `open=True`: only those not yet acknowledged."""

    @PLANS.post("/v1/plans/{plan_id}/red-flags/{flag_id}/acknowledge")
    def acknowledge_red_flag(
        self, plan_id: UUID, flag_id: UUID, acknowledgement: RedFlagAcknowledge
    ) -> RedFlagRead:
        """Acknowledge a red flag, saying what was done (therapists)."""


class ProgressReports(Area):
    """Progress reports on a plan's goals."""

    @PLANS.post("/v1/plans/{plan_id}/progress-reports")
    def record(self, plan_id: UUID, report: ProgressReportCreate) -> ProgressReportRead:
        """Record a progress report: each goal's status, and a note."""

    @PLANS.get("/v1/plans/{plan_id}/progress-reports")
    def list(self, plan_id: UUID, page_size: int | None = None) -> Iterator[ProgressReportRead]:
        """Every progress report of the plan."""

    @PLANS.get("/v1/plans/{plan_id}/progress-reports/{report_id}")
    def read(self, plan_id: UUID, report_id: UUID) -> ProgressReportRead:
        """One progress report."""
