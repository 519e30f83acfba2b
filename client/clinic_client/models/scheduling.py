# Generated from the scheduling service's OpenAPI by `make client-code` (ops/client_code.py): do not edit.
from __future__ import annotations

from datetime import date as date_aliased
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


class AppointmentListed(BaseModel):
    """
    An appointment on a staff list, with its patient's name.
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
    patient_name: Annotated[
        str | None,
        Field(
            description="The patient's display name (preferred, else given, name and family name); null when the list's `patient_names` is not `shown`, or for an id the patients service does not know.",
            title="Patient Name",
        ),
    ]


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


class CalendarFeedRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    url: Annotated[
        str,
        Field(
            description="The feed's address, to paste into a calendar app (subscribe by URL). It holds the secret and is shown only this once: keep it like a password.",
            title="Url",
        ),
    ]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]


class CancelRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    reason: Annotated[str, Field(examples=["Patient has the flu"], title="Reason")]
    scope: Annotated[
        Literal["this", "following", "all"] | None,
        Field(
            description="For a visit of a series: `this` visit only; `following`: this one and the later booked visits of its series; `all`: every booked visit of its series not yet begun. A patient's series-wide cancel is refused whole (409) when any of those visits starts within 24 hours.",
            title="Scope",
        ),
    ] = "this"


class Health(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Annotated[str, Field(title="Status")]
    service: Annotated[str, Field(title="Service")]


class HoldConfirm(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    patient_id: Annotated[
        UUID | None,
        Field(
            description="Whom the visit is for: required unless the hold names the patient.",
            title="Patient Id",
        ),
    ] = None
    plan_id: Annotated[
        UUID | None,
        Field(
            description="The plan of care the visit belongs to, checked as a booking's is.",
            title="Plan Id",
        ),
    ] = None


class HoldCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    therapist_id: Annotated[
        UUID, Field(description="A therapist's user id (`GET /v1/users/me`).", title="Therapist Id")
    ]
    location: Annotated[str, Field(examples=["gaithersburg"], title="Location")]
    type: Annotated[
        str,
        Field(
            description="An appointment type's slug: `evaluation`, `treatment`, `re-evaluation`. The hold is as long as a visit of this type.",
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
    room: Annotated[str | None, Field(title="Room")] = None
    patient_id: Annotated[
        UUID | None,
        Field(
            description="The patient it is held for, if known yet (else given when confirmed): the patient's other bookings then are refused too.",
            title="Patient Id",
        ),
    ] = None
    minutes: Annotated[
        int | None,
        Field(
            description="How long the time is held, 1 to 60 minutes; never past the visit's start.",
            title="Minutes",
        ),
    ] = 10


class HoldRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    location: Annotated[str, Field(title="Location")]
    room: Annotated[str | None, Field(title="Room")]
    type: Annotated[str, Field(title="Type")]
    start: Annotated[
        AwareDatetime, Field(description="On the clinic's clock, with its offset.", title="Start")
    ]
    end: Annotated[AwareDatetime, Field(title="End")]
    expires_at: Annotated[
        AwareDatetime,
        Field(description="When it stops blocking the time, if still held.", title="Expires At"),
    ]
    patient_id: Annotated[UUID | None, Field(title="Patient Id")]
    status: Annotated[
        str,
        Field(
            description="`held` (blocking the time), `expired` (held, but past `expires_at`: it blocks nothing), `confirmed` (into `appointment_id`) or `released`.",
            title="Status",
        ),
    ]
    appointment_id: Annotated[UUID | None, Field(title="Appointment Id")]
    freed_appointment_id: Annotated[
        UUID | None,
        Field(
            description="For a hold that offers a cancelled visit's time to the wait list: that visit. Such a hold is booked by accepting one of its offers.",
            title="Freed Appointment Id",
        ),
    ]
    version: Annotated[int, Field(description="Sent as the ETag.", title="Version")]
    created_by: Annotated[UUID, Field(title="Created By")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]


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


class OfferMade(BaseModel):
    """
    An offer a cancellation made: to whom, kept by which hold, until when.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    offer_id: Annotated[UUID, Field(title="Offer Id")]
    entry_id: Annotated[UUID, Field(title="Entry Id")]
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    hold_id: Annotated[UUID, Field(title="Hold Id")]
    expires_at: Annotated[
        AwareDatetime,
        Field(description="On the clinic's clock, with its offset.", title="Expires At"),
    ]


class OfferRead(BaseModel):
    """
    A freed time offered to the entry, kept by a hold until it expires.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    hold_id: Annotated[UUID, Field(title="Hold Id")]
    therapist_id: Annotated[UUID, Field(title="Therapist Id")]
    location: Annotated[str, Field(title="Location")]
    room: Annotated[str | None, Field(title="Room")]
    start: Annotated[
        AwareDatetime, Field(description="On the clinic's clock, with its offset.", title="Start")
    ]
    end: Annotated[
        AwareDatetime,
        Field(description="The end of the freed time: the visit may be shorter.", title="End"),
    ]
    expires_at: Annotated[
        AwareDatetime, Field(description="Accept before this.", title="Expires At")
    ]
    status: Annotated[
        str,
        Field(
            description="`offered` (accept it: `POST /v1/waitlist/offers/{id}/accept`), `accepted`, `gone` (the time went to another patient, was taken back, or the entry is booked or withdrawn) or `expired`.",
            title="Status",
        ),
    ]


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


class SeriesCreate(BaseModel):
    """
    Visits on `weekdays` at `time` on the clinic's clock, from `first_date` on: `count` of
    them, or up to `last_date` (one of the two; with a `plan_id` and neither, the plan's
    visits a week times its weeks).
    """

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
    weekdays: Annotated[
        list[int],
        Field(
            description="The days of the week, each once: 0 is Monday, 6 is Sunday.",
            examples=[[0, 3]],
            title="Weekdays",
        ),
    ]
    time: Annotated[
        str,
        Field(
            description="When each visit starts on the clinic's clock, HH:MM, on its grid. On a day the clock skips it (spring forward) that visit fails; on a day it reads it twice (fall back), the first.",
            examples=["09:00"],
            title="Time",
        ),
    ]
    first_date: Annotated[
        date_aliased,
        Field(description="The first date the series may take, local.", title="First Date"),
    ]
    count: Annotated[int | None, Field(description="How many visits, 1 to 100.", title="Count")] = (
        None
    )
    last_date: Annotated[
        date_aliased | None,
        Field(
            description="The last date the series may take, at most a year after `first_date` and at most 100 visits in between.",
            title="Last Date",
        ),
    ] = None
    plan_id: Annotated[
        UUID | None,
        Field(
            description="The plan of care the visits belong to: each must fall in its certification period and (with an authorization) have a visit left for it.",
            title="Plan Id",
        ),
    ] = None
    partial: Annotated[
        bool | None,
        Field(
            description="false: all or nothing (a date that fails books none). true: book the dates that fit and report the others.",
            title="Partial",
        ),
    ] = False
    room: Annotated[str | None, Field(title="Room")] = None


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


class WaitlistEntryCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    location: Annotated[str, Field(examples=["gaithersburg"], title="Location")]
    therapist_id: Annotated[
        UUID | None,
        Field(
            description="Only with this therapist (who works there); absent: any who does.",
            title="Therapist Id",
        ),
    ] = None
    type: Annotated[
        str,
        Field(
            description="The kind of visit wanted: `evaluation`, `treatment`, `re-evaluation`.",
            examples=["treatment"],
            title="Type",
        ),
    ]
    weekdays: Annotated[
        list[int] | None,
        Field(
            description="The days that suit, 0 is Monday, 6 is Sunday; empty: any day.",
            title="Weekdays",
        ),
    ] = None
    earliest: Annotated[
        str | None, Field(description="The visit starts no earlier.", title="Earliest")
    ] = None
    latest: Annotated[str | None, Field(description="The visit ends no later.", title="Latest")] = (
        None
    )
    note: Annotated[
        str | None, Field(examples=["Prefers mornings; can come at short notice"], title="Note")
    ] = None


class WaitlistEntryRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    id: Annotated[UUID, Field(title="Id")]
    patient_id: Annotated[UUID, Field(title="Patient Id")]
    location: Annotated[str, Field(title="Location")]
    therapist_id: Annotated[UUID | None, Field(title="Therapist Id")]
    type: Annotated[str, Field(title="Type")]
    weekdays: Annotated[list[int], Field(title="Weekdays")]
    earliest: Annotated[
        str | None, Field(description="HH:MM on the clinic's clock.", title="Earliest")
    ]
    latest: Annotated[str | None, Field(title="Latest")]
    note: Annotated[str | None, Field(title="Note")]
    status: Annotated[
        str,
        Field(
            description="`waiting`, `offered` (waiting, with an offer open), `booked` (as `appointment_id`) or `withdrawn`.",
            title="Status",
        ),
    ]
    appointment_id: Annotated[UUID | None, Field(title="Appointment Id")]
    offers: Annotated[
        list[OfferRead],
        Field(description="Every time offered to it, oldest first.", title="Offers"),
    ]
    version: Annotated[int, Field(description="Sent as the ETag.", title="Version")]
    created_by: Annotated[UUID, Field(title="Created By")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]


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


class AppointmentCancelled(BaseModel):
    """
    The appointment cancelled, the other visits of its series cancelled with it, and the
    wait-list offers the freed time went to.
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
    also_cancelled: Annotated[
        list[UUID],
        Field(
            description="The ids of the other visits of the series the scope took, by start.",
            title="Also Cancelled",
        ),
    ]
    offers: Annotated[
        list[OfferMade],
        Field(
            description="The wait-list entries offered the freed time, oldest first, each time kept by one hold until `expires_at`: the first to accept books it. Empty when the time has begun or suits no entry, and for a patient cancelling their own visit.",
            title="Offers",
        ),
    ]


class AppointmentList(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[AppointmentListed], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None
    patient_names: Annotated[
        Literal["shown", "unavailable", "withheld"],
        Field(
            description="`shown`: names asked of the patients service, one call for the page. `unavailable`: it did not answer in time, so this page has no names (retry for them); the appointments are complete. `withheld`: administrators see no names.",
            title="Patient Names",
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


class PageWaitlistEntryRead(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: Annotated[list[WaitlistEntryRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None


class SeriesFailure(BaseModel):
    """
    A date of the series that could not be booked, why, and what is free near it.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    date: Annotated[date_aliased, Field(title="Date")]
    start: Annotated[
        AwareDatetime,
        Field(description="The start asked for, on the clinic's clock.", title="Start"),
    ]
    status: Annotated[
        int, Field(description="What booking this visit alone would have answered.", title="Status")
    ]
    type: Annotated[
        str,
        Field(description="The problem type booking it alone would have answered.", title="Type"),
    ]
    reason: Annotated[str, Field(title="Reason")]
    clashes_with: Annotated[
        UUID | None,
        Field(
            description="The appointment (or time off) that holds the time.", title="Clashes With"
        ),
    ] = None
    alternatives: Annotated[
        list[SlotRead],
        Field(
            description="Up to three free slots of the same therapist, clinic and kind of visit nearest the start asked for, within seven days of it.",
            title="Alternatives",
        ),
    ]


class SeriesBooked(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    series_id: Annotated[
        UUID, Field(description="Shared by every visit of the series.", title="Series Id")
    ]
    booked: Annotated[
        list[AppointmentBooked], Field(description="The visits booked, by start.", title="Booked")
    ]
    failures: Annotated[
        list[SeriesFailure],
        Field(
            description="With `partial`: the dates not booked (empty when all were).",
            title="Failures",
        ),
    ]
