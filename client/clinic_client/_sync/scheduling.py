# Generated from _async/scheduling.py by `make client-code` (ops/client_code.py): do not edit.
"""The scheduling service: clinics, appointment types, therapists' hours and time off,
availability, and appointments.

A patient's own appointments are under `client.me`.
"""

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from clinic_client._sync.engine import Area
from clinic_client.models.scheduling import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCreate,
    AppointmentList,
    AppointmentListed,
    AppointmentRead,
    AppointmentTypeCreate,
    AppointmentTypeRead,
    AppointmentTypeUpdate,
    AvailabilityRead,
    CalendarFeedRead,
    CancelRequest,
    HoldConfirm,
    HoldCreate,
    HoldRead,
    HoursEntry,
    LocationRead,
    NextSlotsRead,
    RescheduleRequest,
    SeriesBooked,
    SeriesCreate,
    TherapistWeekRead,
    TimeOffCreate,
    TimeOffRead,
    WaitlistEntryCreate,
    WaitlistEntryRead,
)
from clinic_client.operations import SCHEDULING

AppointmentStatus = Literal["booked", "checked_in", "completed", "no_show", "cancelled"]
EntryStatus = Literal["waiting", "offered", "booked", "withdrawn"]


class Locations(Area):
    """The clinics: Gaithersburg, Frederick, Columbia."""

    @SCHEDULING.get("/v1/locations")
    def list(self) -> Iterator[LocationRead]:
        """Every clinic, with its address, time zone, opening hours and rooms."""

    @SCHEDULING.get("/v1/locations/{slug}")
    def read(self, slug: str) -> LocationRead:
        """One clinic, `columbia` say."""


class AppointmentTypes(Area):
    """Kinds of visit: evaluation, treatment, re-evaluation; their length and code."""

    @SCHEDULING.get("/v1/appointment-types")
    def list(self) -> Iterator[AppointmentTypeRead]:
        """Every appointment type."""

    @SCHEDULING.post("/v1/appointment-types")
    def create(self, appointment_type: AppointmentTypeCreate) -> AppointmentTypeRead:
        """Add an appointment type (admins)."""

    @SCHEDULING.get("/v1/appointment-types/{type_slug}")
    def read(self, type_slug: str) -> AppointmentTypeRead:
        """One appointment type."""

    @SCHEDULING.patch("/v1/appointment-types/{type_slug}")
    def update(
        self, type_slug: str, change: AppointmentTypeUpdate, *, if_match: int | str
    ) -> AppointmentTypeRead:
        """Change an appointment type (admins); `if_match`: the `version` you read."""


class Therapists(Area):
    """Therapists' weekly hours and time off (by the therapist's user id)."""

    @SCHEDULING.get("/v1/therapists/{therapist_id}/hours")
    def hours(self, therapist_id: UUID) -> TherapistWeekRead:
        """The therapist's weekly hours at each clinic, in the clinic's local time."""

    @SCHEDULING.put("/v1/therapists/{therapist_id}/hours")
    def set_hours(self, therapist_id: UUID, hours: list[HoursEntry]) -> TherapistWeekRead:
        """Replace the therapist's whole week (admins)."""

    @SCHEDULING.post("/v1/therapists/{therapist_id}/time-off")
    def add_time_off(self, therapist_id: UUID, time_off: TimeOffCreate) -> TimeOffRead:
        """Block a time: no slot is offered in it."""

    @SCHEDULING.get("/v1/therapists/{therapist_id}/time-off")
    def time_off(self, therapist_id: UUID, page_size: int | None = None) -> Iterator[TimeOffRead]:
        """The therapist's time off."""

    @SCHEDULING.delete("/v1/therapists/{therapist_id}/time-off/{time_off_id}")
    def remove_time_off(self, therapist_id: UUID, time_off_id: UUID) -> None:
        """Give a blocked time back."""

    @SCHEDULING.post("/v1/therapists/{therapist_id}/calendar-feed")
    def open_calendar_feed(self, therapist_id: UUID) -> CalendarFeedRead:
        """A new secret calendar-feed URL for the therapist (the one before stops working)."""

    @SCHEDULING.delete("/v1/therapists/{therapist_id}/calendar-feed")
    def close_calendar_feed(self, therapist_id: UUID) -> None:
        """Stop the therapist's calendar feed: its URL answers 404 from now on."""

    @SCHEDULING.get("/v1/calendar-feeds/{secret}.ics")
    def calendar_feed(
        self, secret: str, *, accept: Literal["text/calendar"] = "text/calendar"
    ) -> bytes:
        """The feed's iCalendar document (no token needed: the secret is the key)."""


class Availability(Area):
    """Free slots, in each clinic's local time."""

    @SCHEDULING.get("/v1/availability")
    def slots(
        self,
        location: str,
        type: str,
        from_: date,
        to: date,
        *,
        therapist_id: UUID | None = None,
    ) -> AvailabilityRead:
        """The free slots of one appointment type at one clinic between two local dates."""

    @SCHEDULING.get("/v1/availability/next")
    def next(
        self,
        type: str,
        *,
        after: datetime | None = None,
        locations: list[str] | None = None,
        therapist_id: UUID | None = None,
        limit: int | None = None,
    ) -> NextSlotsRead:
        """The next free slots across clinics (all of them unless `locations` says)."""


class Appointments(Area):
    """Book, move and cancel appointments; the day sheet: check in, no-show, complete."""

    @SCHEDULING.post("/v1/appointments")
    def book(
        self, appointment: AppointmentCreate, *, idempotency_key: str | None = None
    ) -> AppointmentBooked:
        """Book a visit (safe to retry); a clash is a `Conflict` naming the other one."""

    @SCHEDULING.post("/v1/appointments/series")
    def book_series(
        self, series: SeriesCreate, *, idempotency_key: str | None = None
    ) -> SeriesBooked:
        """Book a series from a plan or by weekdays (safe to retry). All or nothing unless
        `partial`: a `Conflict` whose `extensions["failures"]` lists each failing date with
        the free slots nearest it."""

    @SCHEDULING.get("/v1/appointments")
    def list(
        self,
        *,
        location: str | None = None,
        date: date | None = None,
        from_: date | None = None,
        to: date | None = None,
        therapist_id: UUID | None = None,
        patient_id: UUID | None = None,
        status: AppointmentStatus | None = None,
        page_size: int | None = None,
    ) -> Iterator[AppointmentListed]:
        """Appointments by clinic, dates, therapist, patient or status; `location` with
        `date` is that clinic's day sheet."""

    @SCHEDULING.get("/v1/appointments")
    def list_pages(
        self,
        *,
        location: str | None = None,
        date: date | None = None,
        from_: date | None = None,
        to: date | None = None,
        therapist_id: UUID | None = None,
        patient_id: UUID | None = None,
        status: AppointmentStatus | None = None,
        page_size: int | None = None,
    ) -> Iterator[AppointmentList]:
        """The same list page by page, each page saying whether it names the patients
        (`patient_names`: `shown`, `unavailable` for now, or `withheld` from admins)."""

    @SCHEDULING.get("/v1/appointments/{appointment_id}")
    def read(self, appointment_id: UUID) -> AppointmentRead:
        """One appointment."""

    @SCHEDULING.get("/v1/appointments/{appointment_id}/fhir")
    def fhir(self, appointment_id: UUID) -> dict[str, Any]:
        """The appointment as a FHIR R4 Appointment resource."""

    @SCHEDULING.post("/v1/appointments/{appointment_id}/reschedule")
    def reschedule(self, appointment_id: UUID, move: RescheduleRequest) -> AppointmentBooked:
        """Move a booked visit to another start (or therapist, or room)."""

    @SCHEDULING.post("/v1/appointments/{appointment_id}/cancel")
    def cancel(self, appointment_id: UUID, reason: CancelRequest) -> AppointmentCancelled:
        """Cancel a visit, saying why (inside 24 hours it counts as late); with
        `scope="following"` or `"all"`, the rest of its series too."""

    @SCHEDULING.post("/v1/appointments/{appointment_id}/check-in")
    def check_in(self, appointment_id: UUID) -> AppointmentRead:
        """The patient has arrived."""

    @SCHEDULING.post("/v1/appointments/{appointment_id}/no-show")
    def no_show(self, appointment_id: UUID) -> AppointmentRead:
        """The patient did not come."""

    @SCHEDULING.post("/v1/appointments/{appointment_id}/complete")
    def complete(self, appointment_id: UUID) -> AppointmentRead:
        """The visit took place (reported to the plan it belongs to)."""

    @SCHEDULING.post("/v1/appointments/{appointment_id}/undo-completion")
    def undo_completion(self, appointment_id: UUID) -> AppointmentRead:
        """Take back a completion recorded by mistake."""


class Holds(Area):
    """Times held for a few minutes while the front desk settles a booking."""

    @SCHEDULING.post("/v1/holds")
    def create(self, hold: HoldCreate, *, idempotency_key: str | None = None) -> HoldRead:
        """Hold a time (10 minutes unless `minutes` says): nobody else books it meanwhile."""

    @SCHEDULING.get("/v1/holds/{hold_id}")
    def read(self, hold_id: UUID) -> HoldRead:
        """One hold, with when it expires."""

    @SCHEDULING.post("/v1/holds/{hold_id}/confirm")
    def confirm(self, hold_id: UUID, confirmation: HoldConfirm) -> AppointmentBooked:
        """Book the held time (a `Conflict` once it has expired or was released)."""

    @SCHEDULING.delete("/v1/holds/{hold_id}")
    def release(self, hold_id: UUID) -> None:
        """Give the held time back at once."""


class Waitlist(Area):
    """Patients waiting for a visit; a cancelled visit's time is offered to them."""

    @SCHEDULING.post("/v1/waitlist")
    def add(self, entry: WaitlistEntryCreate) -> WaitlistEntryRead:
        """Put a patient on a clinic's wait list, with the days and times that suit them."""

    @SCHEDULING.get("/v1/waitlist")
    def list(
        self,
        *,
        location: str | None = None,
        therapist_id: UUID | None = None,
        status: EntryStatus | None = None,
        page_size: int | None = None,
    ) -> Iterator[WaitlistEntryRead]:
        """The wait list, oldest first, by clinic, therapist or status."""

    @SCHEDULING.get("/v1/waitlist/{entry_id}")
    def read(self, entry_id: UUID) -> WaitlistEntryRead:
        """One entry, with its offers."""

    @SCHEDULING.post("/v1/waitlist/{entry_id}/withdraw")
    def withdraw(self, entry_id: UUID) -> WaitlistEntryRead:
        """Take the patient off the wait list."""

    @SCHEDULING.post("/v1/waitlist/offers/{offer_id}/accept")
    def accept(self, offer_id: UUID) -> AppointmentBooked:
        """Take an offered time: the first to accept books it, the rest get a `Conflict`."""
