# Generated from the scheduling service's OpenAPI by `make client-code` (ops/client_code.py): do not edit.
from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class AppointmentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    therapist_id: Annotated[
        UUID, Field(description="A therapist's user id (`GET /v1/users/me`).", title="Therapist Id")
    ]
    location: Annotated[str, Field(examples=["gaithersburg"], title="Location")]
    type: Annotated[
        str,
        Field(
            description="An appointment type's slug: `evaluation`, `treatment`, `re-evaluation`.",
            examples=["treatment"],
            title="Type",
        ),
    ]
    start: Annotated[
        AwareDatetime,
        Field(
            description="When the visit starts, ISO 8601 with its offset: a time on the clinic's grid (every `CLINIC_SLOT_MINUTES`), not past, within the clinic's opening hours and the therapist's hours there. A wall time the clinic's clock skips (the spring-forward hour) is refused.",
            examples=["2026-12-24T12:00:00-05:00"],
            title="Start",
        ),
    ]
    plan_id: Annotated[
        UUID | None,
        Field(
            description="The plan of care the visit belongs to: it must be the patient's, active, and cover the visit's date and (with an authorization) have a visit left for it.",
            title="Plan Id",
        ),
    ] = None
    room: Annotated[str | None, Field(title="Room")] = None


class AppointmentRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    location: Annotated[str, Field(title="Location")]
    room: Annotated[str | None, Field(title="Room")]
    type: Annotated[str, Field(title="Type")]
    duration_minutes: Annotated[int, Field(title="Duration Minutes")]
    start: Annotated[
        AwareDatetime, Field(description="On the clinic's clock, with its offset.", title="Start")
    ]
    end: Annotated[AwareDatetime, Field(title="End")]
    status: Annotated[
        str,
        Field(
            description="`booked`, `checked_in`, `completed`, `no_show` or `cancelled`.",
            title="Status",
        ),
    ]
    moves: Annotated[
        list[str],
        Field(
            description="The moves its status allows now (`check-in`, `cancel`, ...); each is a POST to `/v1/appointments/{id}/<move>`.",
            title="Moves",
        ),
    ]
    plan_id: Annotated[UUID | None, Field(title="Plan Id")]
    series_id: Annotated[UUID | None, Field(title="Series Id")]
    cancel_reason: Annotated[str | None, Field(title="Cancel Reason")]
    cancelled_at: Annotated[AwareDatetime | None, Field(title="Cancelled At")]
    late_cancellation: Annotated[
        bool,
        Field(description="Cancelled less than 24 hours before start.", title="Late Cancellation"),
    ]
    version: Annotated[int, Field(description="Sent as the ETag.", title="Version")]
    created_by: Annotated[UUID, Field(title="Created By")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]


class AppointmentTypeCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    duration_minutes: Annotated[
        int, Field(description="Length in minutes: 10 to 240, by 5.", title="Duration Minutes")
    ]
    procedure_code: Annotated[str, Field(examples=["97110"], title="Procedure Code")]
    alternative_codes: Annotated[
        list[str] | None,
        Field(
            description="Other codes the same visit may be billed under (an evaluation: 97161 or 97163 by its complexity); never the usual code itself, no code twice.",
            title="Alternative Codes",
        ),
    ] = []


class AppointmentTypeRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    duration_minutes: Annotated[int, Field(title="Duration Minutes")]
    procedure_code: Annotated[
        str,
        Field(description="The code the visit is usually billed under.", title="Procedure Code"),
    ]
    alternative_codes: Annotated[
        list[str],
        Field(
            description="Other codes the same visit may be billed under.", title="Alternative Codes"
        ),
    ]
    version: Annotated[
        int,
        Field(
            description="Sent as the ETag; send it back in If-Match to change it.", title="Version"
        ),
    ]


class AppointmentTypeUpdate(BaseModel):
    """
    The fields sent replace the stored ones; the slug never changes. A new length applies
    to visits booked from now on.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: Annotated[str | None, Field(title="Name")] = None
    duration_minutes: Annotated[
        int | None,
        Field(description="Length in minutes: 10 to 240, by 5.", title="Duration Minutes"),
    ] = None
    procedure_code: Annotated[str | None, Field(examples=["97110"], title="Procedure Code")] = None
    alternative_codes: Annotated[
        list[str] | None,
        Field(
            description="Other codes the same visit may be billed under (an evaluation: 97161 or 97163 by its complexity); never the usual code itself, no code twice.",
            title="Alternative Codes",
        ),
    ] = None


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


class BookingWarning(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    code: Annotated[
        Literal["authorization_visits_low", "authorization_ending", "progress_report_due"],
        Field(title="Code"),
    ]
    message: Annotated[str, Field(title="Message")]


class CancelRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    reason: Annotated[str, Field(examples=["Patient has the flu"], title="Reason")]


class Health(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Annotated[str, Field(title="Status")]
    service: Annotated[str, Field(title="Service")]


class HoursEntry(BaseModel):
    """
    One stretch of the week at one clinic, on the clinic's clock.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    location: Annotated[str, Field(examples=["gaithersburg"], title="Location")]
    weekday: Annotated[int, Field(description="0 is Monday, 6 is Sunday.", title="Weekday")]
    start: Annotated[
        str,
        Field(
            description="A time of day on the clinic's clock, HH:MM (24-hour).",
            examples=["08:00"],
            title="Start",
        ),
    ]
    end: Annotated[
        str,
        Field(
            description="A time of day on the clinic's clock, HH:MM (24-hour).",
            examples=["08:00"],
            title="End",
        ),
    ]


class HoursRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    location: Annotated[str, Field(title="Location")]
    weekday: Annotated[int, Field(title="Weekday")]
    start: Annotated[str, Field(title="Start")]
    end: Annotated[str, Field(title="End")]


class OpeningHours(BaseModel):
    """
    One day's opening hours at a clinic, in the clinic's own time zone. A day the clinic
    is closed has no entry. (A read model: the bounds are documented, not checked on the way
    out, so stored rows are answered as they are.)
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    weekday: Annotated[
        int,
        Field(
            description="The day of the week: 0 is Monday, 6 is Sunday (as Python's date.weekday(); ISO 8601's day number minus one).",
            title="Weekday",
        ),
    ]
    opens: Annotated[
        str,
        Field(
            description="Local opening time, HH:MM on a 24-hour clock.",
            examples=["07:00"],
            title="Opens",
        ),
    ]
    closes: Annotated[
        str,
        Field(
            description="Local closing time, HH:MM on a 24-hour clock.",
            examples=["19:00"],
            title="Closes",
        ),
    ]


class PageAppointmentRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[AppointmentRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageAppointmentTypeRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[AppointmentTypeRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageAuditEventRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[AuditEventRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class Readiness(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Annotated[str, Field(title="Status")]
    service: Annotated[str, Field(title="Service")]
    database: Annotated[str, Field(title="Database")]
    schema_revision: Annotated[str | None, Field(title="Schema Revision")]


class RescheduleRequest(BaseModel):
    """
    A new start; optionally another therapist or room (a room sent as null clears it).
    The clinic stays: to move a visit to another clinic, cancel it and book there.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    start: Annotated[
        AwareDatetime,
        Field(
            description="When the visit starts, ISO 8601 with its offset: a time on the clinic's grid (every `CLINIC_SLOT_MINUTES`), not past, within the clinic's opening hours and the therapist's hours there. A wall time the clinic's clock skips (the spring-forward hour) is refused.",
            examples=["2026-12-24T12:00:00-05:00"],
            title="Start",
        ),
    ]
    therapist_id: Annotated[
        UUID | None, Field(description="Absent: the same therapist.", title="Therapist Id")
    ] = None
    room: Annotated[
        str | None, Field(description="Absent: the same room; null: none.", title="Room")
    ] = None


class SlotRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    start: Annotated[
        AwareDatetime,
        Field(
            description="On the clinic's clock, with its offset: `2026-11-01T01:30:00-05:00`.",
            title="Start",
        ),
    ]
    end: Annotated[
        AwareDatetime,
        Field(description="The start plus the visit's length, in real minutes.", title="End"),
    ]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    location: Annotated[str, Field(title="Location")]


class TherapistWeekRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    hours: Annotated[list[HoursRead], Field(description="By weekday, then start.", title="Hours")]


class TimeOffCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    start: Annotated[AwareDatetime, Field(examples=["2026-12-24T12:00:00-05:00"], title="Start")]
    end: Annotated[
        AwareDatetime,
        Field(
            description="After `start`, at most 366 days later.",
            examples=["2026-12-24T12:00:00-05:00"],
            title="End",
        ),
    ]
    reason: Annotated[str, Field(title="Reason")]


class TimeOffRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    start: Annotated[AwareDatetime, Field(title="Start")]
    end: Annotated[AwareDatetime, Field(title="End")]
    reason: Annotated[str, Field(title="Reason")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]


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


class AppointmentBooked(BaseModel):
    """
    A booked (or moved) appointment, with what the front desk should know about it.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    location: Annotated[str, Field(title="Location")]
    room: Annotated[str | None, Field(title="Room")]
    type: Annotated[str, Field(title="Type")]
    duration_minutes: Annotated[int, Field(title="Duration Minutes")]
    start: Annotated[
        AwareDatetime, Field(description="On the clinic's clock, with its offset.", title="Start")
    ]
    end: Annotated[AwareDatetime, Field(title="End")]
    status: Annotated[
        str,
        Field(
            description="`booked`, `checked_in`, `completed`, `no_show` or `cancelled`.",
            title="Status",
        ),
    ]
    moves: Annotated[
        list[str],
        Field(
            description="The moves its status allows now (`check-in`, `cancel`, ...); each is a POST to `/v1/appointments/{id}/<move>`.",
            title="Moves",
        ),
    ]
    plan_id: Annotated[UUID | None, Field(title="Plan Id")]
    series_id: Annotated[UUID | None, Field(title="Series Id")]
    cancel_reason: Annotated[str | None, Field(title="Cancel Reason")]
    cancelled_at: Annotated[AwareDatetime | None, Field(title="Cancelled At")]
    late_cancellation: Annotated[
        bool,
        Field(description="Cancelled less than 24 hours before start.", title="Late Cancellation"),
    ]
    version: Annotated[int, Field(description="Sent as the ETag.", title="Version")]
    created_by: Annotated[UUID, Field(title="Created By")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]
    warnings: Annotated[
        list[BookingWarning],
        Field(
            description="With a plan: two visits or fewer left on the authorization, seven days or fewer left of it, or a visit past the 10th since the last progress report.",
            title="Warnings",
        ),
    ]


class AvailabilityRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    location: Annotated[str, Field(title="Location")]
    type: Annotated[str, Field(title="Type")]
    time_zone: Annotated[str, Field(description="The clinic's IANA time zone.", title="Time Zone")]
    duration_minutes: Annotated[int, Field(title="Duration Minutes")]
    slot_minutes: Annotated[
        int,
        Field(description="The grid visits start on (CLINIC_SLOT_MINUTES).", title="Slot Minutes"),
    ]
    slots: Annotated[
        list[SlotRead],
        Field(description="Every free slot, by start, then therapist.", title="Slots"),
    ]


class LocationRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    slug: Annotated[str, Field(title="Slug")]
    name: Annotated[str, Field(title="Name")]
    street: Annotated[str, Field(title="Street")]
    city: Annotated[str, Field(title="City")]
    state: Annotated[str, Field(title="State")]
    postal_code: Annotated[str, Field(title="Postal Code")]
    phone: Annotated[str | None, Field(title="Phone")]
    time_zone: Annotated[str, Field(title="Time Zone")]
    opening_hours: Annotated[list[OpeningHours], Field(title="Opening Hours")]
    rooms: Annotated[list[str], Field(title="Rooms")]


class NextSlotsRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    type: Annotated[str, Field(title="Type")]
    duration_minutes: Annotated[int, Field(title="Duration Minutes")]
    slot_minutes: Annotated[int, Field(title="Slot Minutes")]
    searched_until: Annotated[
        AwareDatetime,
        Field(
            description="The search looked no further: fewer slots than asked for means none free before this moment.",
            title="Searched Until",
        ),
    ]
    slots: Annotated[
        list[SlotRead], Field(description="The earliest free slots, by start.", title="Slots")
    ]


class PageLocationRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[LocationRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class PageTimeOffRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[TimeOffRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None
