"""`clinic hold` and `clinic waitlist` against the in-process services: a time held, then
booked; a patient put on the wait list, offered a cancelled visit's time, and booked into it
by `clinic waitlist accept`; a second accept of the taken time is a conflict (exit 6)."""

import json

import pytest
from clinic_client.cli.exits import ExitStatus

from tests.cli.conftest import Clinic, run, signed_in
from tests.factories import make_patient
from tests.scheduling.booking import a_clinic, fix_clock


@pytest.fixture(autouse=True)
def _monday_morning(monkeypatch):
    fix_clock(monkeypatch)  # Monday 7 December 2026, 08:00 in New York


async def test_a_held_time_is_booked_by_confirming_it(clinic: Clinic, apis, apps, db) -> None:
    place = await a_clinic(apis["scheduling"], apps, db)
    await signed_in(clinic, db, "front_desk")
    desk = ("-p", "front_desk")
    hold = [
        "hold", "new", "--therapist", str(place.therapist.id), "--location",
        place.location.slug, "--at", "2026-12-08 10:00", "--json",
    ]  # fmt: skip
    held = json.loads((await run(clinic, *desk, *hold)).stdout)
    assert (held["status"], held["start"]) == ("held", "2026-12-08T10:00:00-05:00")
    booking = [
        "book", "--patient", str(place.patient.id), "--therapist", str(place.therapist.id),
        "--location", place.location.slug, "--at", "2026-12-08 10:00",
    ]  # fmt: skip
    refused = await run(clinic, *desk, *booking, expect=ExitStatus.CONFLICT)
    assert "hold" in refused.stderr.lower()
    confirm = ["hold", "confirm", held["id"], "--patient", str(place.patient.id)]
    confirmed = await run(clinic, *desk, *confirm)
    assert "Booked a treatment visit" in confirmed.stdout


async def test_a_cancelled_time_goes_to_the_wait_list_and_one_accept_wins(
    clinic: Clinic,
    apis,
    apps,
    db,
) -> None:
    place = await a_clinic(apis["scheduling"], apps, db)
    waiting = await make_patient(db, given_name="Wanda")
    await signed_in(clinic, db, "front_desk")
    desk = ("-p", "front_desk")
    add = [
        "waitlist", "add", "--patient", str(waiting.id), "--location", place.location.slug,
        "--therapist", str(place.therapist.id), "--days", "tue", "--earliest", "09:00", "-q",
    ]  # fmt: skip
    entry_id = (await run(clinic, *desk, *add)).stdout.strip()
    booked = await place.book(start="2026-12-08T10:00:00-05:00")
    assert booked.status_code == 201, booked.text
    cancel = ["cancel", booked.json()["id"], "--reason", "Moving house", "--json"]
    cancelled = json.loads((await run(clinic, *desk, *cancel)).stdout)
    (offer,) = cancelled["offers"]
    listed = await run(clinic, *desk, "waitlist", "list", "--location", place.location.slug)
    assert entry_id in listed.stdout and "offered" in listed.stdout
    accepted = await run(clinic, *desk, "waitlist", "accept", offer["offer_id"], "--json")
    assert json.loads(accepted.stdout)["patient_id"] == str(waiting.id)
    again = await run(
        clinic, *desk, "waitlist", "accept", offer["offer_id"], expect=ExitStatus.CONFLICT
    )
    assert "Error:" in again.stderr
    await run(clinic, *desk, "waitlist", "list", "--status", "nonsense", expect=ExitStatus.USAGE)
