"""What a plan of care must allow before a visit is booked on it, and what the front desk
is told when it is nearly used up. The plan's facts come from the plans service (read with
the caller's token before the transaction); the visits it does not know of yet come from
this service's own rows, counted under the patient's schedule lock, so two bookings of one
plan cannot both take its last authorized visit.

Refused (409, saying why): another patient's plan, a plan that is not active, a visit outside
the certification period or the authorization's dates, or no authorized visit left once this
one and every live visit already booked are counted. Warned: two visits or fewer left, seven
days or fewer left of the authorization, or a visit past the 10th since the last progress
report.
"""

import uuid
from datetime import date

from services.common.errors import Conflict
from services.scheduling.appointments.schemas import BookingWarning
from services.scheduling.clients import AuthorizationRef, PlanRef

PROGRESS_REPORT_VISITS = 10
FEW_VISITS = 2
FEW_DAYS = 7


def check_plan(
    plan: PlanRef, *, patient_id: uuid.UUID, visit_date: date, booked: int
) -> list[BookingWarning]:
    """`booked`: the plan's live visits the plans service does not count yet, this one aside."""
    _check_cover(plan, patient_id=patient_id, visit_date=visit_date)
    warnings = _authorization(plan.authorization, visit_date=visit_date, booked=booked)
    return warnings + _progress_report(plan, booked=booked)


def check_plan_open(plan: PlanRef, *, patient_id: uuid.UUID) -> None:
    """409 unless visits may be booked on the plan for this patient at all, whatever the
    date: a series asks once, before its dates."""
    if plan.patient_id != patient_id:
        raise Conflict("This plan of care is another patient's.")
    if plan.status != "active":
        raise Conflict(
            f"The plan of care is {plan.status.replace('_', ' ')}: visits are booked on an "
            "active plan."
        )


def plan_dates(plan: PlanRef) -> tuple[date, date]:
    """The dates the plan covers: its certification period, within the authorization's
    dates when it has them."""
    first, last = plan.certification_start, plan.certification_end
    authorization = plan.authorization
    if authorization is not None and authorization.valid_from is not None:
        first = max(first, authorization.valid_from)
    if authorization is not None and authorization.valid_until is not None:
        last = min(last, authorization.valid_until)
    return first, last


def _check_cover(plan: PlanRef, *, patient_id: uuid.UUID, visit_date: date) -> None:
    check_plan_open(plan, patient_id=patient_id)
    start, end = plan.certification_start, plan.certification_end
    if not start <= visit_date <= end:
        raise Conflict(
            f"The visit on {visit_date} falls outside the plan's certification period "
            f"({start} to {end}): recertify the plan first."
        )


def _authorization(
    authorization: AuthorizationRef | None, *, visit_date: date, booked: int
) -> list[BookingWarning]:
    if authorization is None:
        return []
    _check_dates(authorization, visit_date)
    warnings = []
    if authorization.visits_left is not None:
        left = authorization.visits_left - booked - 1
        if left < 0:
            raise Conflict(
                f"The authorization has {authorization.visits_left} visit(s) left and "
                f"{booked} are booked already: none is left for this one."
            )
        if left <= FEW_VISITS:
            message = f"After this visit, {left} authorized visit(s) are left."
            warnings.append(BookingWarning(code="authorization_visits_low", message=message))
    until = authorization.valid_until
    if until is not None and (until - visit_date).days <= FEW_DAYS:
        message = f"The authorization ends on {until}, {(until - visit_date).days} day(s) after."
        warnings.append(BookingWarning(code="authorization_ending", message=message))
    return warnings


def _check_dates(authorization: AuthorizationRef, visit_date: date) -> None:
    first, last = authorization.valid_from, authorization.valid_until
    if first is not None and visit_date < first:
        raise Conflict(f"The visit on {visit_date} is before the authorization starts ({first}).")
    if last is not None and visit_date > last:
        raise Conflict(f"The visit on {visit_date} is after the authorization ends ({last}).")


def _progress_report(plan: PlanRef, *, booked: int) -> list[BookingWarning]:
    number = plan.visits_since_progress_report + booked + 1
    if number <= PROGRESS_REPORT_VISITS:
        return []
    message = (
        f"This is visit {number} since the last progress report: one is due every "
        f"{PROGRESS_REPORT_VISITS} visits."
    )
    return [BookingWarning(code="progress_report_due", message=message)]
