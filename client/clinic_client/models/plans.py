# Generated from the plans service's OpenAPI by `make client-code` (ops/client_code.py): do not edit.
from __future__ import annotations

from datetime import date as date_aliased
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class AdherenceTotal(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    sessions: Annotated[int, Field(title="Sessions")]
    target: Annotated[int, Field(title="Target")]
    percent: Annotated[float | None, Field(title="Percent")]


class AdherenceWeek(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    week: Annotated[
        int, Field(description="Plan week: week 1 starts on the plan's start date.", title="Week")
    ]
    starts_on: Annotated[date_aliased, Field(title="Starts On")]
    ends_on: Annotated[date_aliased, Field(title="Ends On")]
    days: Annotated[
        int, Field(description="Days of this week inside the range asked for (1-7).", title="Days")
    ]
    target: Annotated[int, Field(description="Sessions asked for in those days.", title="Target")]
    sessions: Annotated[int, Field(title="Sessions")]
    percent: Annotated[
        float | None,
        Field(description="Sessions (at most the target) of the target.", title="Percent"),
    ]


class AuditEventRead(BaseModel):
    """
    One audit row as the trail shows it.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[int, Field(title="Id")]
    occurred_at: Annotated[AwareDatetime, Field(title="Occurred At")]
    actor_user_id: Annotated[UUID | None, Field(title="Actor User Id")]
    actor_role: Annotated[str | None, Field(title="Actor Role")]
    action: Annotated[str, Field(title="Action")]
    outcome: Annotated[str, Field(title="Outcome")]
    patient_id: Annotated[UUID | None, Field(title="Patient Id")]
    entity_type: Annotated[str | None, Field(title="Entity Type")]
    entity_id: Annotated[str | None, Field(title="Entity Id")]
    client_ip: Annotated[str | None, Field(title="Client Ip")]
    request_id: Annotated[str | None, Field(title="Request Id")]
    detail: Annotated[dict[str, Any], Field(title="Detail")]


class AuthorizationIn(BaseModel):
    """
    The insurer's authorization: how many visits, valid between which dates.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    visits: Annotated[int, Field(title="Visits")]
    valid_from: Annotated[date_aliased | None, Field(title="Valid From")] = None
    valid_until: Annotated[date_aliased | None, Field(title="Valid Until")] = None


class AuthorizationRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    visits: Annotated[int | None, Field(title="Visits")]
    valid_from: Annotated[date_aliased | None, Field(title="Valid From")]
    valid_until: Annotated[date_aliased | None, Field(title="Valid Until")]
    visits_left: Annotated[
        int | None,
        Field(
            description="Visits allowed less the plan's completed visits in the valid dates.",
            title="Visits Left",
        ),
    ]


class Diagnosis(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    code: Annotated[str, Field(title="Code")]
    display: Annotated[str | None, Field(title="Display")] = None


class DiagnosisIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    code: Annotated[
        str,
        Field(
            description="ICD-10-CM, with the side where the code has one.",
            examples=["G57.62"],
            title="Code",
        ),
    ]
    display: Annotated[str | None, Field(title="Display")] = None


class DiscontinueRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    reason: Annotated[str, Field(title="Reason")]


class Dosage(BaseModel):
    """
    How much of an exercise: the per-patient bounds of the clinic (sets 1-10, reps 1-100,
    hold 0-600 s, 1-6 times a day, 1-7 days a week). A `*_max` makes a range (10-15 reps).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    sets: Annotated[int | None, Field(title="Sets")] = None
    sets_max: Annotated[int | None, Field(title="Sets Max")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None
    reps_max: Annotated[int | None, Field(title="Reps Max")] = None
    hold_seconds: Annotated[int | None, Field(title="Hold Seconds")] = None
    hold_seconds_max: Annotated[int | None, Field(title="Hold Seconds Max")] = None
    times_per_day: Annotated[int | None, Field(title="Times Per Day")] = None
    days_per_week: Annotated[int | None, Field(title="Days Per Week")] = None
    side: Annotated[Literal["left", "right", "both", "each"] | None, Field(title="Side")] = "both"


class DosageRead(BaseModel):
    """
    A dosage as stored; a protocol's seeded dosage holds only the fields it gives.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    sets: Annotated[int | None, Field(title="Sets")] = None
    sets_max: Annotated[int | None, Field(title="Sets Max")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None
    reps_max: Annotated[int | None, Field(title="Reps Max")] = None
    hold_seconds: Annotated[int | None, Field(title="Hold Seconds")] = None
    hold_seconds_max: Annotated[int | None, Field(title="Hold Seconds Max")] = None
    times_per_day: Annotated[int | None, Field(title="Times Per Day")] = None
    days_per_week: Annotated[int | None, Field(title="Days Per Week")] = None
    side: Annotated[str | None, Field(title="Side")] = "both"
    note: Annotated[str | None, Field(title="Note")] = None


class EducationItem(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    slug: Annotated[str, Field(title="Slug")]
    title: Annotated[str, Field(title="Title")]
    text: Annotated[str, Field(title="Text")]


class EducationItemIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    slug: Annotated[
        str,
        Field(
            description="Lower-case words joined by hyphens.",
            examples=["toe-spreads"],
            title="Slug",
        ),
    ]
    title: Annotated[str, Field(title="Title")]
    text: Annotated[str, Field(title="Text")]


class ExerciseDoneIn(BaseModel):
    """
    An exercise of the plan done that day, with the sets and reps done if counted.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    slug: Annotated[str, Field(title="Slug")]
    sets: Annotated[int | None, Field(title="Sets")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None


class ExerciseDoneRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    slug: Annotated[str, Field(title="Slug")]
    sets: Annotated[int | None, Field(title="Sets")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None


class ExerciseDosage(BaseModel):
    """
    The dosage a therapist starts from, and a word on it for the clinic ("your therapist
    sets the weight").
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    sets: Annotated[int | None, Field(title="Sets")] = None
    sets_max: Annotated[int | None, Field(title="Sets Max")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None
    reps_max: Annotated[int | None, Field(title="Reps Max")] = None
    hold_seconds: Annotated[int | None, Field(title="Hold Seconds")] = None
    hold_seconds_max: Annotated[int | None, Field(title="Hold Seconds Max")] = None
    times_per_day: Annotated[int | None, Field(title="Times Per Day")] = None
    days_per_week: Annotated[int | None, Field(title="Days Per Week")] = None
    side: Annotated[Literal["left", "right", "both", "each"] | None, Field(title="Side")] = "both"
    note: Annotated[str | None, Field(title="Note")] = None


class ExerciseIn(BaseModel):
    """
    One exercise of the program. Give no amount (sets, reps, hold, times, days) and it
    keeps the dosage it had, else the protocol's, else the library's; give any and the amount
    is exactly what you give. The side likewise. Without `part` it goes in the home part when
    the patient has its equipment at home (`home_equipment`) and it can be done at home, else
    in the clinic part.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    sets: Annotated[int | None, Field(title="Sets")] = None
    sets_max: Annotated[int | None, Field(title="Sets Max")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None
    reps_max: Annotated[int | None, Field(title="Reps Max")] = None
    hold_seconds: Annotated[int | None, Field(title="Hold Seconds")] = None
    hold_seconds_max: Annotated[int | None, Field(title="Hold Seconds Max")] = None
    times_per_day: Annotated[int | None, Field(title="Times Per Day")] = None
    days_per_week: Annotated[int | None, Field(title="Days Per Week")] = None
    side: Annotated[Literal["left", "right", "both", "each"] | None, Field(title="Side")] = "both"
    slug: Annotated[str, Field(title="Slug")]
    part: Annotated[Literal["home", "clinic"] | None, Field(title="Part")] = None
    patient_note: Annotated[str | None, Field(title="Patient Note")] = None
    staff_note: Annotated[str | None, Field(title="Staff Note")] = None


class ExerciseRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    purpose: Annotated[str, Field(title="Purpose")]
    instructions: Annotated[str, Field(title="Instructions")]
    body_region: Annotated[str, Field(title="Body Region")]
    setting: Annotated[str, Field(title="Setting")]
    equipment: Annotated[list[str], Field(title="Equipment")]
    setup: Annotated[str | None, Field(title="Setup")]
    cues: Annotated[list[str], Field(title="Cues")]
    default_dosage: DosageRead
    precautions: Annotated[str | None, Field(title="Precautions")]
    tags: Annotated[list[str], Field(title="Tags")]
    retired_at: Annotated[AwareDatetime | None, Field(title="Retired At")]
    version: Annotated[int, Field(title="Version")]


class ExerciseUpdate(BaseModel):
    """
    A partial change: the fields sent replace the stored ones (lists and the dosage
    whole). `null` clears setup and precautions; the slug never changes.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: Annotated[str | None, Field(title="Name")] = None
    purpose: Annotated[str | None, Field(title="Purpose")] = None
    instructions: Annotated[str | None, Field(title="Instructions")] = None
    body_region: Annotated[str | None, Field(examples=["cable-machine"], title="Body Region")] = (
        None
    )
    setting: Annotated[Literal["home", "clinic", "both"] | None, Field(title="Setting")] = None
    equipment: Annotated[list[str] | None, Field(title="Equipment")] = None
    setup: Annotated[str | None, Field(title="Setup")] = None
    cues: Annotated[list[str] | None, Field(title="Cues")] = None
    default_dosage: ExerciseDosage | None = None
    precautions: Annotated[str | None, Field(title="Precautions")] = None
    tags: Annotated[list[str] | None, Field(title="Tags")] = None


class Goal(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    text: Annotated[str, Field(title="Text")]
    term: Annotated[Literal["short", "long"], Field(title="Term")]
    target_date: Annotated[date_aliased | None, Field(title="Target Date")] = None
    status: Annotated[
        Literal["not_started", "in_progress", "met", "not_met", "discontinued"] | None,
        Field(title="Status"),
    ] = "not_started"


class GoalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    id: Annotated[
        UUID | None,
        Field(
            description="A goal's id from an earlier read keeps it; a new goal gets one.",
            title="Id",
        ),
    ] = None
    text: Annotated[str, Field(title="Text")]
    term: Annotated[Literal["short", "long"], Field(title="Term")]
    target_date: Annotated[date_aliased | None, Field(title="Target Date")] = None
    status: Annotated[
        Literal["not_started", "in_progress", "met", "not_met", "discontinued"] | None,
        Field(title="Status"),
    ] = "not_started"


class GoalStatusIn(BaseModel):
    """
    Where one goal of the plan stands.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    goal_id: Annotated[
        UUID,
        Field(description="A goal of the plan (its `id` in the plan's goals).", title="Goal Id"),
    ]
    status: Annotated[
        Literal["not_started", "in_progress", "met", "not_met", "discontinued"],
        Field(title="Status"),
    ]
    note: Annotated[str | None, Field(title="Note")] = None


class GoalStatusRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    goal_id: Annotated[UUID, Field(title="Goal Id")]
    status: Annotated[str, Field(title="Status")]
    note: Annotated[str | None, Field(title="Note")] = None


class GoalTemplate(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    text: Annotated[str, Field(title="Text")]
    term: Annotated[Literal["short", "long"], Field(title="Term")]
    weeks: Annotated[int | None, Field(title="Weeks")] = None


class GoalTemplateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    text: Annotated[str, Field(title="Text")]
    term: Annotated[Literal["short", "long"], Field(title="Term")]
    weeks: Annotated[
        int | None, Field(description="Target: the plan's start + weeks.", title="Weeks")
    ] = None


class Health(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Annotated[str, Field(title="Status")]
    service: Annotated[str, Field(title="Service")]


class HomeSessionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    performed_on: Annotated[
        date_aliased,
        Field(
            description="The day the exercises were done, in the clinic's time zone: not in the future, not before the plan started.",
            title="Performed On",
        ),
    ]
    exercises: Annotated[
        list[ExerciseDoneIn | str],
        Field(
            description="The plan's exercises done that day: {slug, sets, reps}, or just slugs.",
            title="Exercises",
        ),
    ]
    pain: Annotated[int, Field(description="0 (none) to 10 (worst).", title="Pain")]
    numbness: Annotated[
        bool | None, Field(description="Numbness or tingling that day.", title="Numbness")
    ] = False
    note: Annotated[str | None, Field(title="Note")] = None


class HomeSessionRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    plan_id: Annotated[UUID, Field(title="Plan Id")]
    performed_on: Annotated[date_aliased, Field(title="Performed On")]
    exercises: Annotated[list[ExerciseDoneRead], Field(title="Exercises")]
    pain: Annotated[int, Field(title="Pain")]
    numbness: Annotated[bool, Field(title="Numbness")]
    note: Annotated[str | None, Field(title="Note")]
    version: Annotated[int, Field(title="Version")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]
    red_flags: Annotated[
        list[str],
        Field(
            description="What this log tripped of the plan's red-flag criteria (pain_high, pain_rising, new_numbness).",
            title="Red Flags",
        ),
    ]
    advice: Annotated[
        str | None,
        Field(
            description="With red flags: what the patient should do now (call the clinic).",
            title="Advice",
        ),
    ]


class HomeSessionUpdate(BaseModel):
    """
    A correction of the same day's log: the fields sent replace the stored ones.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    exercises: Annotated[
        list[ExerciseDoneIn | str] | None,
        Field(
            description="The plan's exercises done that day: {slug, sets, reps}, or just slugs.",
            title="Exercises",
        ),
    ] = None
    pain: Annotated[int | None, Field(description="0 (none) to 10 (worst).", title="Pain")] = None
    numbness: Annotated[
        bool | None, Field(description="Numbness or tingling that day.", title="Numbness")
    ] = None
    note: Annotated[str | None, Field(title="Note")] = None


class MyDosageRead(BaseModel):
    """
    The dosage's numbers as the therapist set them; a `*_max` makes a range.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    sets: Annotated[int | None, Field(title="Sets")] = None
    sets_max: Annotated[int | None, Field(title="Sets Max")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None
    reps_max: Annotated[int | None, Field(title="Reps Max")] = None
    hold_seconds: Annotated[int | None, Field(title="Hold Seconds")] = None
    hold_seconds_max: Annotated[int | None, Field(title="Hold Seconds Max")] = None
    times_per_day: Annotated[int | None, Field(title="Times Per Day")] = None
    days_per_week: Annotated[int | None, Field(title="Days Per Week")] = None
    side: Annotated[str | None, Field(title="Side")] = "both"


class MyEducationRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    slug: Annotated[str, Field(title="Slug")]
    title: Annotated[str, Field(title="Title")]
    text: Annotated[str, Field(title="Text")]


class MyExerciseRead(BaseModel):
    """
    One exercise of the program as the patient does it.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    purpose: Annotated[str, Field(title="Purpose")]
    instructions: Annotated[str, Field(title="Instructions")]
    cues: Annotated[list[str], Field(title="Cues")]
    precautions: Annotated[str | None, Field(title="Precautions")]
    equipment: Annotated[list[str], Field(title="Equipment")]
    dosage: MyDosageRead
    dosage_text: Annotated[str, Field(title="Dosage Text")]
    patient_note: Annotated[str | None, Field(title="Patient Note")]


class MyPlanRead(BaseModel):
    """
    A patient's own active or on-hold plan: the home part (done alone, in program order),
    the clinic part (done with the therapist), and when to call the clinic.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    status: Annotated[Literal["active", "on_hold"], Field(title="Status")]
    therapist_name: Annotated[str, Field(title="Therapist Name")]
    location: Annotated[str, Field(title="Location")]
    start_date: Annotated[date_aliased, Field(title="Start Date")]
    certification_end: Annotated[date_aliased, Field(title="Certification End")]
    frequency_per_week: Annotated[int, Field(title="Frequency Per Week")]
    duration_weeks: Annotated[int, Field(title="Duration Weeks")]
    diagnoses: Annotated[list[str], Field(title="Diagnoses")]
    home: Annotated[list[MyExerciseRead], Field(title="Home")]
    clinic: Annotated[list[MyExerciseRead], Field(title="Clinic")]
    patient_note: Annotated[str | None, Field(title="Patient Note")]
    education: Annotated[list[MyEducationRead], Field(title="Education")]
    when_to_call: Annotated[str | None, Field(title="When To Call")]


class PageAuditEventRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[AuditEventRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageExerciseRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[ExerciseRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageHomeSessionRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[HomeSessionRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageMyPlanRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[MyPlanRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PainPoint(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    date: Annotated[date_aliased, Field(title="Date")]
    pain: Annotated[int, Field(title="Pain")]


class PainSeries(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    series: Annotated[list[PainPoint], Field(title="Series")]
    slope_per_week: Annotated[
        float | None,
        Field(
            description="Least-squares change of pain per week; null with fewer than two logs.",
            title="Slope Per Week",
        ),
    ]
    trend: Annotated[Literal["improving", "steady", "worsening"] | None, Field(title="Trend")]


class PlanCreate(BaseModel):
    """
    A new plan, a draft until activated. From a protocol, the exercises, goals, education
    and red-flag criteria come from it unless given; diagnoses never do (give the code with
    its side). The therapist is the caller; an admin names one in `therapist_id`.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    therapist_id: Annotated[
        UUID | None, Field(description="Admins only: the plan's therapist.", title="Therapist Id")
    ] = None
    protocol: Annotated[str | None, Field(examples=["mortons-neuroma"], title="Protocol")] = None
    location: Annotated[
        str,
        Field(
            description="A clinic's slug (scheduling's /v1/locations).",
            examples=["gaithersburg"],
            title="Location",
        ),
    ]
    frequency_per_week: Annotated[
        int, Field(description="Visits a week, 1 to 7.", title="Frequency Per Week")
    ]
    duration_weeks: Annotated[
        int, Field(description="Weeks of care, 1 to 52.", title="Duration Weeks")
    ]
    start_date: Annotated[date_aliased, Field(title="Start Date")]
    certification_end: Annotated[
        date_aliased | None,
        Field(
            description="At most 90 days after start_date; default start + duration.",
            title="Certification End",
        ),
    ] = None
    diagnoses: Annotated[
        list[DiagnosisIn] | None, Field(title="Diagnoses", validate_default=True)
    ] = []
    goals: Annotated[list[GoalIn] | None, Field(title="Goals")] = None
    exercises: Annotated[list[ExerciseIn] | None, Field(title="Exercises")] = None
    home_equipment: Annotated[
        list[str] | None,
        Field(
            description="Equipment tags the patient has at home (`wall`, ...).",
            title="Home Equipment",
        ),
    ] = []
    authorization: AuthorizationIn | None = None
    patient_note: Annotated[str | None, Field(title="Patient Note")] = None
    staff_note: Annotated[str | None, Field(title="Staff Note")] = None


class PlanSchedulingRead(BaseModel):
    """
    What the front desk needs to book a plan's visits: nothing clinical.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    view: Annotated[Literal["scheduling"], Field(title="View")] = "scheduling"
    id: Annotated[UUID, Field(title="Id")]
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    therapist_name: Annotated[str, Field(title="Therapist Name")]
    location: Annotated[str, Field(title="Location")]
    status: Annotated[
        Literal["draft", "active", "on_hold", "completed", "discontinued"], Field(title="Status")
    ]
    frequency_per_week: Annotated[int, Field(title="Frequency Per Week")]
    duration_weeks: Annotated[int, Field(title="Duration Weeks")]
    planned_visits: Annotated[int, Field(title="Planned Visits")]
    completed_visits: Annotated[int, Field(title="Completed Visits")]
    visits_since_progress_report: Annotated[int, Field(title="Visits Since Progress Report")]
    certification_start: Annotated[date_aliased, Field(title="Certification Start")]
    certification_end: Annotated[date_aliased, Field(title="Certification End")]
    authorization: AuthorizationRead | None
    version: Annotated[int, Field(title="Version")]


class PlanSummary(BaseModel):
    """
    A plan in a queue: who, where, and its dates and counts. `due_reason` says, with a
    `due` filter, why the plan is in that queue.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    therapist_name: Annotated[str, Field(title="Therapist Name")]
    location: Annotated[str, Field(title="Location")]
    status: Annotated[str, Field(title="Status")]
    start_date: Annotated[date_aliased, Field(title="Start Date")]
    certification_start: Annotated[date_aliased, Field(title="Certification Start")]
    certification_end: Annotated[date_aliased, Field(title="Certification End")]
    frequency_per_week: Annotated[int, Field(title="Frequency Per Week")]
    duration_weeks: Annotated[int, Field(title="Duration Weeks")]
    planned_visits: Annotated[int | None, Field(title="Planned Visits")]
    completed_visits: Annotated[int, Field(title="Completed Visits")]
    visits_since_progress_report: Annotated[int, Field(title="Visits Since Progress Report")]
    progress_reports: Annotated[int, Field(title="Progress Reports")]
    last_progress_report_at: Annotated[AwareDatetime | None, Field(title="Last Progress Report At")]
    authorization_visits: Annotated[int | None, Field(title="Authorization Visits")]
    authorization_visits_left: Annotated[int | None, Field(title="Authorization Visits Left")]
    authorization_valid_from: Annotated[
        date_aliased | None, Field(title="Authorization Valid From")
    ]
    authorization_valid_until: Annotated[
        date_aliased | None, Field(title="Authorization Valid Until")
    ]
    open_red_flags: Annotated[int, Field(title="Open Red Flags")]
    due_reason: Annotated[str | None, Field(title="Due Reason")] = None


class PlanUpdate(BaseModel):
    """
    A partial change: the fields sent replace the stored ones (`goals` and `exercises`
    whole lists). `null` clears the authorization or a note.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    goals: Annotated[list[GoalIn] | None, Field(title="Goals")] = None
    exercises: Annotated[list[ExerciseIn] | None, Field(title="Exercises")] = None
    diagnoses: Annotated[list[DiagnosisIn] | None, Field(title="Diagnoses")] = None
    frequency_per_week: Annotated[
        int | None, Field(description="Visits a week, 1 to 7.", title="Frequency Per Week")
    ] = None
    duration_weeks: Annotated[
        int | None, Field(description="Weeks of care, 1 to 52.", title="Duration Weeks")
    ] = None
    certification_end: Annotated[date_aliased | None, Field(title="Certification End")] = None
    authorization: AuthorizationIn | None = None
    home_equipment: Annotated[
        list[str] | None,
        Field(
            description="Equipment tags the patient has at home (`wall`, ...).",
            title="Home Equipment",
        ),
    ] = None
    patient_note: Annotated[str | None, Field(title="Patient Note")] = None
    staff_note: Annotated[str | None, Field(title="Staff Note")] = None


class ProgramItemRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    exercise_id: Annotated[UUID, Field(title="Exercise Id")]
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    purpose: Annotated[str, Field(title="Purpose")]
    instructions: Annotated[str, Field(title="Instructions")]
    cues: Annotated[list[str] | None, Field(title="Cues")] = []
    precautions: Annotated[str | None, Field(title="Precautions")] = None
    equipment: Annotated[list[str] | None, Field(title="Equipment")] = []
    part: Annotated[str, Field(title="Part")]
    sets: Annotated[int | None, Field(title="Sets")] = None
    sets_max: Annotated[int | None, Field(title="Sets Max")] = None
    reps: Annotated[int | None, Field(title="Reps")] = None
    reps_max: Annotated[int | None, Field(title="Reps Max")] = None
    hold_seconds: Annotated[int | None, Field(title="Hold Seconds")] = None
    hold_seconds_max: Annotated[int | None, Field(title="Hold Seconds Max")] = None
    times_per_day: Annotated[int | None, Field(title="Times Per Day")] = None
    days_per_week: Annotated[int | None, Field(title="Days Per Week")] = None
    side: Annotated[str | None, Field(title="Side")] = "both"
    dosage_in_words: Annotated[str, Field(title="Dosage In Words")]
    patient_note: Annotated[str | None, Field(title="Patient Note")] = None
    staff_note: Annotated[str | None, Field(title="Staff Note")] = None


class ProgressReportCreate(BaseModel):
    """
    A progress report: where each goal named stands, and a note. The goals named take
    these statuses on the plan.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    goal_statuses: Annotated[list[GoalStatusIn], Field(title="Goal Statuses")]
    note: Annotated[str | None, Field(title="Note")] = None


class ProgressReportRead(BaseModel):
    """
    A progress report as written. `visits_covered`: the completed visits since the report
    before it; `completed_visits`: the plan's total when it was written.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    plan_id: Annotated[UUID, Field(title="Plan Id")]
    number: Annotated[int, Field(title="Number")]
    goal_statuses: Annotated[list[GoalStatusRead], Field(title="Goal Statuses")]
    note: Annotated[str | None, Field(title="Note")]
    visits_covered: Annotated[int, Field(title="Visits Covered")]
    completed_visits: Annotated[int, Field(title="Completed Visits")]
    created_by: Annotated[UUID, Field(title="Created By")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]


class ProtocolExerciseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    slug: Annotated[
        str,
        Field(
            description="A live exercise of the library.", examples=["toe-spreads"], title="Slug"
        ),
    ]
    part: Annotated[
        Literal["home", "clinic"] | None,
        Field(
            description="Home or clinic; none: home when the patient has the equipment.",
            title="Part",
        ),
    ] = None
    dosage: Dosage | None = None


class ProtocolExerciseRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    part: Annotated[str | None, Field(title="Part")]
    dosage: DosageRead
    retired: Annotated[
        bool,
        Field(
            description="Retired from the library since: left out of new plans.", title="Retired"
        ),
    ]


class Readiness(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Annotated[str, Field(title="Status")]
    service: Annotated[str, Field(title="Service")]
    database: Annotated[str, Field(title="Database")]
    schema_revision: Annotated[str | None, Field(title="Schema Revision")]


class RecertifyRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    certification_start: Annotated[
        date_aliased | None,
        Field(
            description="Default: the day after the current period ends.",
            title="Certification Start",
        ),
    ] = None
    certification_end: Annotated[
        date_aliased | None,
        Field(
            description="At most 90 days after the start; default start + duration.",
            title="Certification End",
        ),
    ] = None


class RedFlagAcknowledge(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    note: Annotated[str, Field(title="Note")]


class RedFlagCriteria(BaseModel):
    """
    When a home log should make the therapist look again, and what to consider then.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    pain_at_least: Annotated[int | None, Field(title="Pain At Least")] = None
    pain_rising_logs: Annotated[int | None, Field(title="Pain Rising Logs")] = None
    new_numbness: Annotated[bool | None, Field(title="New Numbness")] = False
    medical_options: Annotated[list[str] | None, Field(title="Medical Options")] = []
    advice: Annotated[str | None, Field(title="Advice")] = None


class RedFlagCriteriaIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    pain_at_least: Annotated[
        int | None, Field(description="A log with pain >= this.", title="Pain At Least")
    ] = None
    pain_rising_logs: Annotated[
        int | None,
        Field(description="Pain rising over this many logs in a row.", title="Pain Rising Logs"),
    ] = None
    new_numbness: Annotated[
        bool | None,
        Field(description="Numbness where the log before had none.", title="New Numbness"),
    ] = False
    medical_options: Annotated[list[str] | None, Field(title="Medical Options")] = None
    advice: Annotated[
        str | None, Field(description="What the patient is told to do.", title="Advice")
    ] = None


class RedFlagRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    plan_id: Annotated[UUID, Field(title="Plan Id")]
    session_id: Annotated[UUID, Field(title="Session Id")]
    session_url: Annotated[str, Field(title="Session Url")]
    reason: Annotated[str, Field(title="Reason")]
    detail: Annotated[str, Field(title="Detail")]
    raised_at: Annotated[AwareDatetime, Field(title="Raised At")]
    acknowledged_by: Annotated[UUID | None, Field(title="Acknowledged By")]
    acknowledged_at: Annotated[AwareDatetime | None, Field(title="Acknowledged At")]
    acknowledgement_note: Annotated[str | None, Field(title="Acknowledgement Note")]
    medical_options: Annotated[
        list[str],
        Field(
            description="What the plan's criteria say to consider: injection, neurectomy, ...",
            title="Medical Options",
        ),
    ]


class RevisionRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    number: Annotated[int, Field(title="Number")]
    kind: Annotated[
        Literal["signed", "revised", "recertified", "status", "progress_report"],
        Field(title="Kind"),
    ]
    changed_fields: Annotated[list[str], Field(title="Changed Fields")]
    summary: Annotated[str | None, Field(title="Summary")]
    plan_version: Annotated[int, Field(title="Plan Version")]
    changed_by: Annotated[UUID, Field(title="Changed By")]
    changed_at: Annotated[AwareDatetime, Field(title="Changed At")]
    content: Annotated[
        dict[str, Any],
        Field(
            description="The whole plan as it stood after this change, as `PlanRead` then was.",
            title="Content",
        ),
    ]


class RevisionSummary(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    number: Annotated[int, Field(title="Number")]
    kind: Annotated[
        Literal["signed", "revised", "recertified", "status", "progress_report"],
        Field(title="Kind"),
    ]
    changed_fields: Annotated[list[str], Field(title="Changed Fields")]
    summary: Annotated[str | None, Field(title="Summary")]
    plan_version: Annotated[int, Field(title="Plan Version")]
    changed_by: Annotated[UUID, Field(title="Changed By")]
    changed_at: Annotated[AwareDatetime, Field(title="Changed At")]


class StatusNote(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    reason: Annotated[str | None, Field(title="Reason")] = None


class VisitOutcomeCreate(BaseModel):
    """
    A visit outcome scheduling reports: the appointment was completed, or its completion
    undone. `event_id` makes a repeat harmless.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    event_id: Annotated[
        UUID, Field(description="Unique per outcome: a repeat changes nothing.", title="Event Id")
    ]
    plan_id: Annotated[UUID, Field(title="Plan Id")]
    appointment_id: Annotated[UUID, Field(title="Appointment Id")]
    outcome: Annotated[Literal["completed", "undone"], Field(title="Outcome")]
    occurred_at: Annotated[
        AwareDatetime, Field(description="When it happened, with its offset.", title="Occurred At")
    ]
    visit_date: Annotated[
        date_aliased,
        Field(description="The visit's date, in the clinic's time zone.", title="Visit Date"),
    ]


class VisitOutcomeRead(BaseModel):
    """
    The outcome as first recorded: a repeat of its event id answers this again.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    event_id: Annotated[UUID, Field(title="Event Id")]
    plan_id: Annotated[UUID, Field(title="Plan Id")]
    appointment_id: Annotated[UUID, Field(title="Appointment Id")]
    outcome: Annotated[str, Field(title="Outcome")]
    occurred_at: Annotated[AwareDatetime, Field(title="Occurred At")]
    received_at: Annotated[AwareDatetime, Field(title="Received At")]


class FieldError(BaseModel):
    """
    One rejected input, shaped like pydantic's own entries.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    loc: Annotated[
        list[str | int],
        Field(description='Where: `["body", "phone"]`, `["query", "limit"]`.', title="Loc"),
    ]
    msg: Annotated[str, Field(description="Why, for a person to read.", title="Msg")]
    type: Annotated[
        str,
        Field(description="What kind, for a program: `missing`, `value_error`, ...", title="Type"),
    ]


class Problem(BaseModel):
    """
    An error answer (RFC 9457), the same shape on every route of every service.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    type: Annotated[
        str,
        Field(
            description="A stable URI under https://clinic.example/problems/ naming the kind of problem: branch on it.",
            title="Type",
        ),
    ]
    title: Annotated[
        str, Field(description="A short summary of that kind of problem.", title="Title")
    ]
    status: Annotated[int, Field(description="The HTTP status, repeated.", title="Status")]
    detail: Annotated[
        str,
        Field(
            description="What went wrong with this request, for a person to read.", title="Detail"
        ),
    ]
    instance: Annotated[str, Field(description="The path of the request.", title="Instance")]
    errors: Annotated[
        list[FieldError] | None,
        Field(
            description="With 422: every rejected field, where pydantic or a rule found one.",
            title="Errors",
        ),
    ] = None


class AdherenceRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    plan_id: Annotated[UUID, Field(title="Plan Id")]
    from_: Annotated[date_aliased, Field(alias="from", title="From")]
    to: Annotated[date_aliased, Field(title="To")]
    target_days_per_week: Annotated[
        int | None,
        Field(
            description="The most days a week any home exercise asks for; null without a home part.",
            title="Target Days Per Week",
        ),
    ]
    weeks: Annotated[list[AdherenceWeek], Field(title="Weeks")]
    overall: AdherenceTotal
    pain: PainSeries


class ExerciseCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    slug: Annotated[
        str,
        Field(
            description="Lower-case words joined by hyphens.",
            examples=["toe-spreads"],
            title="Slug",
        ),
    ]
    name: Annotated[str, Field(title="Name")]
    purpose: Annotated[str, Field(title="Purpose")]
    instructions: Annotated[str, Field(title="Instructions")]
    body_region: Annotated[str, Field(examples=["cable-machine"], title="Body Region")]
    setting: Annotated[
        Literal["home", "clinic", "both"] | None,
        Field(description="Where it can be done.", title="Setting"),
    ] = "both"
    equipment: Annotated[
        list[str] | None, Field(description="What it needs, as tags.", title="Equipment")
    ] = None
    setup: Annotated[str | None, Field(description="The equipment in words.", title="Setup")] = None
    cues: Annotated[
        list[str] | None, Field(description="Short reminders while doing it.", title="Cues")
    ] = None
    default_dosage: ExerciseDosage | None = None
    precautions: Annotated[str | None, Field(title="Precautions")] = None
    tags: Annotated[list[str] | None, Field(title="Tags")] = None


class PagePlanSummary(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[PlanSummary], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageProgressReportRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[ProgressReportRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageRedFlagRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[RedFlagRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageRevisionSummary(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[RevisionSummary], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PlanRead(BaseModel):
    """
    The whole plan, as therapists and admins read it (and as a revision keeps it).
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    view: Annotated[Literal["clinical"], Field(title="View")] = "clinical"
    id: Annotated[UUID, Field(title="Id")]
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    therapist_name: Annotated[str, Field(title="Therapist Name")]
    location: Annotated[str, Field(title="Location")]
    time_zone: Annotated[str, Field(title="Time Zone")]
    protocol: Annotated[
        str | None, Field(description="The protocol's slug, when made from one.", title="Protocol")
    ]
    status: Annotated[
        Literal["draft", "active", "on_hold", "completed", "discontinued"], Field(title="Status")
    ]
    status_reason: Annotated[str | None, Field(title="Status Reason")]
    version: Annotated[int, Field(title="Version")]
    revision: Annotated[
        int,
        Field(
            description="The number of the current signed revision; 0: a draft.", title="Revision"
        ),
    ]
    start_date: Annotated[date_aliased, Field(title="Start Date")]
    frequency_per_week: Annotated[int, Field(title="Frequency Per Week")]
    duration_weeks: Annotated[int, Field(title="Duration Weeks")]
    planned_visits: Annotated[int, Field(title="Planned Visits")]
    completed_visits: Annotated[int, Field(title="Completed Visits")]
    visits_since_progress_report: Annotated[int, Field(title="Visits Since Progress Report")]
    progress_reports: Annotated[int, Field(title="Progress Reports")]
    last_progress_report_at: Annotated[AwareDatetime | None, Field(title="Last Progress Report At")]
    certification_start: Annotated[date_aliased, Field(title="Certification Start")]
    certification_end: Annotated[date_aliased, Field(title="Certification End")]
    authorization: AuthorizationRead | None
    diagnoses: Annotated[list[Diagnosis], Field(title="Diagnoses")]
    goals: Annotated[list[Goal], Field(title="Goals")]
    exercises: Annotated[list[ProgramItemRead], Field(title="Exercises")]
    education: Annotated[list[EducationItem], Field(title="Education")]
    red_flag_criteria: RedFlagCriteria
    home_equipment: Annotated[list[str], Field(title="Home Equipment")]
    patient_note: Annotated[str | None, Field(title="Patient Note")]
    staff_note: Annotated[str | None, Field(title="Staff Note")]
    signed_by: Annotated[UUID | None, Field(title="Signed By")]
    signed_at: Annotated[AwareDatetime | None, Field(title="Signed At")]
    created_by: Annotated[UUID, Field(title="Created By")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]


class ProtocolCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    slug: Annotated[
        str,
        Field(
            description="Lower-case words joined by hyphens.",
            examples=["toe-spreads"],
            title="Slug",
        ),
    ]
    name: Annotated[str, Field(title="Name")]
    condition: Annotated[str, Field(title="Condition")]
    description: Annotated[str | None, Field(title="Description")] = None
    icd10_codes: Annotated[list[str], Field(title="Icd10 Codes")]
    exercises: Annotated[list[ProtocolExerciseIn] | None, Field(title="Exercises")] = None
    education: Annotated[list[EducationItemIn] | None, Field(title="Education")] = None
    red_flag_criteria: RedFlagCriteriaIn | None = None
    goal_templates: Annotated[list[GoalTemplateIn] | None, Field(title="Goal Templates")] = None
    default_frequency_per_week: Annotated[int | None, Field(title="Default Frequency Per Week")] = (
        None
    )
    default_duration_weeks: Annotated[int | None, Field(title="Default Duration Weeks")] = None


class ProtocolRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    condition: Annotated[str, Field(title="Condition")]
    description: Annotated[str | None, Field(title="Description")]
    icd10_codes: Annotated[list[str], Field(title="Icd10 Codes")]
    exercises: Annotated[list[ProtocolExerciseRead], Field(title="Exercises")]
    education: Annotated[list[EducationItem], Field(title="Education")]
    red_flag_criteria: RedFlagCriteria
    goal_templates: Annotated[list[GoalTemplate], Field(title="Goal Templates")]
    default_frequency_per_week: Annotated[int | None, Field(title="Default Frequency Per Week")]
    default_duration_weeks: Annotated[int | None, Field(title="Default Duration Weeks")]
    version: Annotated[int, Field(title="Version")]


class ProtocolUpdate(BaseModel):
    """
    A partial change: the fields sent replace the stored ones (lists whole). `null`
    clears the description and the default frequency and duration.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: Annotated[str | None, Field(title="Name")] = None
    condition: Annotated[str | None, Field(title="Condition")] = None
    description: Annotated[str | None, Field(title="Description")] = None
    icd10_codes: Annotated[list[str] | None, Field(title="Icd10 Codes")] = None
    exercises: Annotated[list[ProtocolExerciseIn] | None, Field(title="Exercises")] = None
    education: Annotated[list[EducationItemIn] | None, Field(title="Education")] = None
    red_flag_criteria: RedFlagCriteriaIn | None = None
    goal_templates: Annotated[list[GoalTemplateIn] | None, Field(title="Goal Templates")] = None
    default_frequency_per_week: Annotated[int | None, Field(title="Default Frequency Per Week")] = (
        None
    )
    default_duration_weeks: Annotated[int | None, Field(title="Default Duration Weeks")] = None


class PageProtocolRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[ProtocolRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None
