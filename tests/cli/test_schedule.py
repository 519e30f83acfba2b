"""The front desk's scheduling commands against the in-process services: `clinic series`
(a patient's or a plan's course; a refusal lists each failing date, why and the free times
near it, and exits 6; `--partial`; `--json`), `clinic cancel --scope`, and the day sheet's
patients' names.

The services' clock reads Monday 7 December 2026, 08:00 in New York (tests/scheduling/
booking.py); the test clinic's therapist works 07:00-19:00 every day. The command's own clock
is the machine's, so every date is given.
"""

import io
import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import httpx
import pytest
from clinic_client.cli import progress
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import Invocation
from clinic_client.cli.profiles import ProfileStore
from clinic_client.cli.series import course_of, first_day
from clinic_client.models.plans import PlanSchedulingRead
from rich.console import Console

from tests.cli.conftest import Clinic, run, signed_in
from tests.factories import make_patient
from tests.plans.factories import make_plan
from tests.scheduling.booking import a_clinic, appointments_of, fix_clock
from tests.scheduling.test_day_sheet_names import lookup_failing

NEW_YORK = ZoneInfo("America/New_York")
FOUR_VISITS = ["2026-12-07", "2026-12-10", "2026-12-14", "2026-12-17"]


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)


@pytest.fixture
async def desk(clinic: Clinic, scheduling_api, apps, db):
    """A clinic of the test's own, and the front desk signed in as profile `desk`."""
    place = await a_clinic(scheduling_api, apps, db)
    await signed_in(clinic, db, "front_desk")
    return place


def series_of(place, *more: str) -> list[str]:
    """`clinic series` for the clinic's patient and therapist: Mondays and Thursdays at 9."""
    return [
        *("-p", "front_desk", "series", "--patient", str(place.patient.id)),
        *("--therapist", str(place.therapist.id), "--location", place.location.slug),
        *("--days", "mon,thu", "--at", "09:00", "--from", "2026-12-07"),
        *more,
    ]


def booked_dates(answer: dict) -> list[str]:
    return [visit["start"][:10] for visit in answer["booked"]]


# -- clinic series ----------------------------------------------------------------------------


async def test_a_series_books_its_visits_and_lists_them(clinic: Clinic, desk) -> None:
    result = await run(clinic, *series_of(desk, "--count", "4"))
    assert f"Booked 4 visits at {desk.location.slug}" in result.stdout
    for shown in ("Mon 7 Dec 2026 09:00", "Thu 10 Dec 2026 09:00", "Thu 17 Dec 2026 09:00"):
        assert shown in result.stdout
    assert "Asked for 4 visits." in result.stdout


async def test_series_json_is_the_answer(clinic: Clinic, desk) -> None:
    result = await run(clinic, *series_of(desk, "--until", "2026-12-17", "--json"))
    answer = json.loads(result.stdout)
    assert set(answer) == {"series_id", "booked", "failures"}
    assert booked_dates(answer) == FOUR_VISITS and answer["failures"] == []
    assert {visit["series_id"] for visit in answer["booked"]} == {answer["series_id"]}


async def test_a_refused_series_lists_each_failing_date_with_the_free_times_near_it(
    clinic: Clinic,
    desk,
    db,
) -> None:
    other = await make_patient(db)
    taken = await desk.book(patient_id=str(other.id), start="2026-12-14T09:00:00-05:00")
    assert taken.status_code == 201, taken.text

    result = await run(clinic, *series_of(desk, "--count", "4"), expect=ExitStatus.CONFLICT)
    assert "Dates that cannot be booked" in result.stderr
    assert "Mon 14 Dec 2026 09:00" in result.stderr
    assert "The therapist already has appointment" in result.stderr
    nearby = [line for line in result.stderr.splitlines() if "Mon 14 Dec 2026 0" in line]
    assert [row.split("│")[-2].strip() for row in nearby] == [
        "Mon 14 Dec 2026 08:15",
        "Mon 14 Dec 2026 09:45",
        "Mon 14 Dec 2026 08:00",
    ]
    assert "Error: No visit was booked: 1 of the dates cannot be" in result.stderr
    assert "--partial" in result.stderr and result.stdout == ""
    assert await appointments_of(db, desk.patient.id) == 0


async def test_a_refused_series_as_json_is_the_problem_with_its_failures(
    clinic: Clinic,
    desk,
    db,
) -> None:
    other = await make_patient(db)
    await desk.book(patient_id=str(other.id), start="2026-12-10T09:00:00-05:00")

    result = await run(
        clinic, *series_of(desk, "--count", "4", "--json"), expect=ExitStatus.CONFLICT
    )
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert (error["exit_status"], error["kind"], error["status"]) == (6, "conflict", 409)
    (failure,) = error["failures"]
    assert (failure["date"], failure["start"]) == ("2026-12-10", "2026-12-10T09:00:00-05:00")
    assert [slot["start"][11:16] for slot in failure["alternatives"]] == ["08:15", "09:45", "08:00"]
    assert "1 of the series' 4 visits cannot be booked" in error["detail"]


async def test_partial_books_what_fits_and_lists_the_rest(clinic: Clinic, desk, db) -> None:
    other = await make_patient(db)
    await desk.book(patient_id=str(other.id), start="2026-12-14T09:00:00-05:00")

    result = await run(clinic, *series_of(desk, "--count", "4", "--partial"))
    assert "Booked 3 visits" in result.stdout
    assert "Not booked" in result.stdout and "Mon 14 Dec 2026 09:00" in result.stdout
    assert await appointments_of(db, desk.patient.id) == 3


async def test_a_plan_gives_the_patient_therapist_clinic_and_course(
    clinic: Clinic,
    desk,
    db,
) -> None:
    plan = await make_plan(
        db,
        patient_id=desk.patient.id,
        therapist_id=desk.therapist.id,
        location=desk.location.slug,
        start_date=date(2026, 11, 30),
        certification_end=date(2026, 12, 31),
    )
    args = ["--days", "mon,thu", "--at", "09:00", "--from", "2026-12-07"]
    result = await run(clinic, "-p", "front_desk", "series", "--plan", str(plan.id), *args)
    # 2 a week for 6 weeks is 12, but 8 of the Mondays and Thursdays fit the certification
    assert "Booked 8 visits" in result.stdout
    assert "as many as fit before its certification ends on Thu 31 Dec 2026" in result.stdout
    assert await appointments_of(db, desk.patient.id) == 8


async def test_series_usage_errors(clinic: Clinic, desk) -> None:
    both = await run(
        clinic,
        *series_of(desk, "--count", "2", "--until", "2026-12-31"),
        expect=ExitStatus.USAGE,
    )
    assert "Give --count or --until, not both." in both.stderr
    neither = await run(clinic, *series_of(desk), expect=ExitStatus.USAGE)
    assert "Give --count or --until (or --plan" in neither.stderr
    await run(clinic, *series_of(desk, "--count", "2", "--days", "mon,funday"), expect=2)


PLAN = PlanSchedulingRead(
    id="9f1c2d4e-0000-4000-8000-000000000001",
    patient_id="9f1c2d4e-0000-4000-8000-000000000002",
    therapist_id="9f1c2d4e-0000-4000-8000-000000000003",
    therapist_name="A therapist",
    location="gaithersburg",
    status="active",
    frequency_per_week=2,
    duration_weeks=6,
    planned_visits=12,
    completed_visits=0,
    visits_since_progress_report=0,
    certification_start=date(2026, 12, 14),
    certification_end=date(2027, 1, 25),
    authorization=None,
    version=1,
)


def test_the_first_day_is_the_next_one_a_visit_at_that_time_is_still_ahead() -> None:
    morning = datetime(2026, 12, 7, 8, 0, tzinfo=NEW_YORK)
    assert first_day(morning, time(9), None) == date(2026, 12, 7)
    assert first_day(morning, time(8), None) == date(2026, 12, 8)  # 08:00 is not ahead
    assert first_day(morning, time(9), PLAN) == date(2026, 12, 14)  # the plan starts then
    later = datetime(2026, 12, 20, 10, 0, tzinfo=NEW_YORK)
    assert first_day(later, time(9), PLAN) == date(2026, 12, 21)


def test_a_plans_course_is_its_visits_as_many_as_fit_its_certification() -> None:
    mon_thu = [0, 3]
    whole = course_of(PLAN, date(2026, 12, 14), mon_thu, count=None, last_date=None)
    assert (whole.count, whole.last_date) == (12, None)
    assert whole.said == "12 visits: the plan's 2 a week for 6 weeks"
    begun = course_of(PLAN, date(2026, 12, 28), mon_thu, count=None, last_date=None)
    assert begun.count == 9  # 28 Dec to 25 Jan: five Mondays and four Thursdays
    assert course_of(PLAN, date(2026, 12, 28), mon_thu, count=3, last_date=None).count == 3
    with pytest.raises(CommandFailed) as ended:
        course_of(PLAN, date(2027, 1, 26), mon_thu, count=None, last_date=None)
    assert ended.value.status is ExitStatus.CONFLICT


def test_a_person_at_a_terminal_sees_what_is_being_booked_while_it_runs(tmp_path) -> None:
    def shown(**console: bool) -> str:
        err = Console(file=io.StringIO(), **console)
        invocation = Invocation(profile_name="desk", store=ProfileStore(tmp_path), err=err)
        with progress.working(invocation, "Booking the series (12 visits)"):
            pass
        return err.file.getvalue()

    assert "Booking the series (12 visits)" in shown(force_terminal=True)
    assert shown() == ""  # a pipe, a script: nothing


# -- clinic cancel --scope --------------------------------------------------------------------


async def test_cancel_following_prints_the_visits_cancelled_with_it(
    clinic: Clinic,
    desk,
) -> None:
    booked = json.loads((await run(clinic, *series_of(desk, "--count", "4", "--json"))).stdout)
    ids = [visit["id"] for visit in booked["booked"]]

    cancel = ["-p", "front_desk", "cancel", ids[1], "--reason", "Moving house"]
    result = await run(clinic, *cancel, "--scope", "following")
    assert "Cancelled the visit of Thu 10 Dec 2026 09:00." in result.stdout
    assert "Also cancelled: 2 more of its series" in result.stdout
    for shown in (ids[2], ids[3], "Mon 14 Dec 2026 09:00", "Thu 17 Dec 2026 09:00"):
        assert shown in result.stdout
    assert ids[0] not in result.stdout

    rest = await run(
        clinic, "-p", "front_desk", "cancel", ids[0], "--reason", "Gone", "--scope", "all", "--json"
    )
    answer = json.loads(rest.stdout)
    assert (answer["id"], answer["status"], answer["also_cancelled"]) == (ids[0], "cancelled", [])
    await run(clinic, *cancel, "--scope", "every", expect=ExitStatus.USAGE)


# -- clinic day: the patients' names ----------------------------------------------------------


async def test_the_day_sheet_names_the_patients(clinic: Clinic, desk, db) -> None:
    dana = await make_patient(db, given_name="Dana", preferred_name="Dee", family_name="Okafor")
    booked = await desk.book(patient_id=str(dana.id), start="2026-12-07T10:00:00-05:00")
    assert booked.status_code == 201, booked.text
    sheet = ["day", "--location", desk.location.slug, "--date", "2026-12-07"]

    named = await run(clinic, "-p", "front_desk", *sheet)
    assert "Dee Okafor" in named.stdout and "Note:" not in named.stdout
    rows = json.loads((await run(clinic, "-p", "front_desk", *sheet, "--json")).stdout)
    assert [row["patient_name"] for row in rows] == ["Dee Okafor"]


async def test_the_day_sheet_says_why_it_shows_patients_by_id(
    clinic: Clinic,
    desk,
    apps,
    db,
) -> None:
    dana = await make_patient(db, given_name="Dana", family_name="Okafor")
    await desk.book(patient_id=str(dana.id), start="2026-12-07T10:00:00-05:00")
    sheet = ["day", "--location", desk.location.slug, "--date", "2026-12-07"]

    with lookup_failing(apps, lambda request: httpx.Response(503, json={"status": 503})):
        unnamed = await run(clinic, "-p", "front_desk", *sheet)
    assert "Okafor" not in unnamed.stdout and str(dana.id).split("-")[0] in unnamed.stdout
    assert "did not answer in time" in unnamed.stdout

    await signed_in(clinic, db, "admin")
    withheld = await run(clinic, "-p", "admin", *sheet)
    assert "Okafor" not in withheld.stdout
    assert "not shown to administrators" in withheld.stdout
