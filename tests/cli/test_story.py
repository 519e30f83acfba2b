"""Issue 9's story, end to end through the `clinic` command, each role in a profile of its own,
against the whole stack started for real (`ops.run`: embedded PostgreSQL and the three
services as processes on free ports).

The admin gives the demo therapist hours; the front desk registers Dana and gives her a
login; the therapist builds and signs her Morton's neuroma plan; the front desk books the
plan's visits as one series (`clinic series --plan`: Mondays and Thursdays at 09:00, the
rest of the course the plan's certification covers) and finds Dana by name on the day sheet;
Dana signs in, reads her home program, logs three days, sees her progress and appointments
and saves the handout; Sam, another patient, sees none of it.
"""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from ops.stack import SERVICE_NAMES, Stack
from tests.cli.conftest import Clinic

DANA_PASSWORD = "forefoot-nerve-glide-37"
SAM_PASSWORD = "arch-lift-ladder-58"
GOAL = "Walks 30 minutes in everyday shoes, pain at most 2/10"


def _json(result) -> Any:
    return json.loads(result.stdout)


def mondays_and_thursdays(first: date, last: date) -> list[str]:
    """The dates a 2-a-week series on Mondays and Thursdays takes: at most the plan's 12."""
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day.isoformat() for day in days if day.weekday() in (0, 3)][:12]


@pytest.mark.xdist_group("stack")  # one stack: the story's steps share it
def test_the_story_through_the_clinic_command(stack: Stack, tmp_path: Path) -> None:
    clinic = Clinic(config_dir=tmp_path / "config")
    urls = [arg for name in SERVICE_NAMES for arg in ("--url", stack.url(name))]

    def login(profile: str, email: str, password: str) -> None:
        clinic("-p", profile, "login", *urls, "--email", email, input=password + "\n")

    # The admin gives the demo therapist hours at Gaithersburg, every day it is open.
    login("admin", "admin@clinic.example", stack.password)
    hours = clinic(
        "-p",
        "admin",
        "hours",
        "set",
        "--therapist",
        "therapist@clinic.example",
        "--location",
        "gaithersburg",
        "--days",
        "mon-sat",
        "--from",
        "08:00",
        "--to",
        "13:00",
    )
    assert "Sat" in hours.stdout

    # The front desk registers Dana and gives her a login.
    login("desk", "frontdesk@clinic.example", stack.password)
    dana = _json(
        clinic(
            "-p",
            "desk",
            "patients",
            "add",
            "--given",
            "Dana",
            "--family",
            "Okafor",
            "--birth-date",
            "1978-04-12",
            "--sex",
            "female",
            "--location",
            "gaithersburg",
            "--phone",
            "301-555-0123",
            "--diagnosis",
            "G57.62",
            "--json",
        )
    )
    found = clinic("-p", "desk", "patients", "search", "dana oka")
    assert dana["id"] in found.stdout
    clinic(
        "-p",
        "desk",
        "patients",
        "account",
        "Dana Okafor",
        "--email",
        "dana@example.com",
        input=f"{DANA_PASSWORD}\n{DANA_PASSWORD}\n",
    )

    # The therapist builds her plan from the protocol and signs it.
    login("therapist", "therapist@clinic.example", stack.password)
    draft = _json(
        clinic(
            "-p",
            "therapist",
            "plans",
            "new",
            "--protocol",
            "mortons-neuroma",
            "--patient",
            "Dana Okafor",
            "--per-week",
            "2",
            "--weeks",
            "6",
            "--start",
            "7 days ago",
            "--goal",
            GOAL,
            "--home-equipment",
            "wall",
            "--json",
        )
    )
    plan_id = draft["id"]
    assert draft["status"] == "draft"
    edited = _json(
        clinic(
            "-p",
            "therapist",
            "plans",
            "edit",
            plan_id,
            "--set",
            "toe-spreads.sets=2",
            "--set",
            "toe-spreads.reps=10",
            "--json",
        )
    )
    spreads = next(e for e in edited["exercises"] if e["slug"] == "toe-spreads")
    assert (spreads["sets"], spreads["reps"]) == (2, 10)
    signed = clinic("-p", "therapist", "plans", "activate", "--patient", "Dana Okafor")
    assert "active, revision 1" in signed.stdout

    # The front desk books her visits from the plan, as one series, and sees her day sheet.
    slots = _json(clinic("-p", "desk", "slots", "--plan", plan_id, "--json"))
    assert slots and {slot["location"] for slot in slots} == {"gaithersburg"}
    series = ["series", "--plan", plan_id, "--days", "mon,thu", "--at", "09:00"]
    booked = clinic("-p", "desk", *series)
    assert "the plan's 2 a week for 6 weeks, as many as fit before" in booked.stdout
    visits = _json(clinic("-p", "desk", "appointments", "--patient", "Dana Okafor", "--json"))
    assert [visit["start"][:10] for visit in visits] == mondays_and_thursdays(
        date.fromisoformat(visits[0]["start"][:10]), date.fromisoformat(draft["certification_end"])
    )
    assert {(visit["start"][11:16], visit["plan_id"]) for visit in visits} == {("09:00", plan_id)}
    assert date.fromisoformat(visits[0]["start"][:10]) - date.today() <= timedelta(days=4)
    again = clinic("-p", "desk", *series, "--json", expect=6)  # nothing is booked twice
    assert len(json.loads(again.stderr)["error"]["failures"]) == len(visits)
    day = visits[0]["start"][:10]
    sheet = clinic("-p", "desk", "day", "--location", "gaithersburg", "--date", day)
    assert "Dana Okafor" in sheet.stdout and visits[0]["id"] in sheet.stdout

    # Dana signs in, reads her program, logs three days, sees her progress and visits.
    login("dana", "dana@example.com", DANA_PASSWORD)
    program = clinic("-p", "dana", "plan")
    for text in (
        "Toe spreads",
        "2 x 10",
        "At home",
        "In the clinic, with your therapist",
        "Toe press-downs",
    ):
        assert text in program.stdout
    for on, pain in (("2 days ago", "4"), ("yesterday", "3"), ("today", "2")):
        clinic(
            "-p",
            "dana",
            "log",
            "--pain",
            pain,
            "--done",
            "toe-spreads,gastroc-soleus-stretch",
            "--on",
            on,
        )
    progress = _json(clinic("-p", "dana", "progress", "--json"))
    assert progress["overall"]["sessions"] == 3
    assert [point["pain"] for point in progress["pain"]["series"]] == [4, 3, 2]
    assert "Pain (0-10)" in clinic("-p", "dana", "progress").stdout
    mine = _json(clinic("-p", "dana", "appointments", "--json"))
    assert sorted(each["id"] for each in mine) == sorted(visit["id"] for visit in visits)
    clinic("-p", "dana", "handout", "--out", str(tmp_path / "plan.pdf"))
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")
    clinic("-p", "dana", "handout", "--out", str(tmp_path / "plan.html"))
    assert "Toe spreads" in (tmp_path / "plan.html").read_text()

    # Sam, another patient, sees none of it.
    clinic(
        "-p",
        "desk",
        "patients",
        "add",
        "--given",
        "Sam",
        "--family",
        "Rivera",
        "--birth-date",
        "1985-09-30",
        "--sex",
        "male",
        "--location",
        "columbia",
    )
    clinic(
        "-p",
        "desk",
        "patients",
        "account",
        "Sam Rivera",
        "--email",
        "sam@example.com",
        input=f"{SAM_PASSWORD}\n{SAM_PASSWORD}\n",
    )
    login("sam", "sam@example.com", SAM_PASSWORD)
    assert "no active plan" in clinic("-p", "sam", "plan", expect=4).stderr
    assert _json(clinic("-p", "sam", "appointments", "--json")) == []
    for command in (
        ["plan"],
        ["progress"],
        ["handout", "--out", str(tmp_path / "sam.pdf")],
        ["log", "--pain", "1", "--done", "toe-spreads"],
    ):
        clinic("-p", "sam", *command, "--plan", plan_id, expect=4)
    assert not (tmp_path / "sam.pdf").exists()
    clinic("-p", "sam", "cancel", visits[0]["id"], "--reason", "not mine", expect=4)
