"""How the `clinic` command fails: an expired session, a service it cannot reach, invalid
input, a record that is not there; the exit status of each, the message (named field and
reason), the `--json` shapes, and the profile's tokens: a 0600 file, never printed.

The command runs in a worker thread against the in-process services (their requests served
by the test's event loop through a bridge), with the test's rolled-back database.
"""

import asyncio
import json
import stat
import uuid
from datetime import UTC, datetime, timedelta

from clinic_client.cli.exits import ExitStatus
from clinic_client.cli.invocation import Wiring
from clinic_client.cli.profiles import Profile, ProfileStore
from clinic_client.retries import NEVER
from clinic_client.session import Session
from pydantic import SecretStr

from ops.stack import free_ports
from tests.cli.conftest import URLS, Clinic, run, signed_in
from tests.client.stack import PROXY_URL, ThreadBridge, transport_of
from tests.factories import PASSWORD, make_account, make_patient


def stored(clinic: Clinic, profile: str) -> Profile:
    found = ProfileStore(clinic.config_dir).load(profile)
    assert found is not None
    return found


def store(clinic: Clinic, profile: str, changed: Profile) -> None:
    ProfileStore(clinic.config_dir).save(profile, changed)


def session(**moved: timedelta) -> Session:
    now = datetime.now(UTC)
    times = {
        "access_expires_at": now + timedelta(minutes=15),
        "renew_at": now + timedelta(minutes=14),
        "refresh_expires_at": now + timedelta(minutes=30),
    }
    times |= {name: now + delta for name, delta in moved.items()}
    return Session(
        username="someone@clinic.example",
        access_token=SecretStr("not-a-real-token"),
        refresh_token=SecretStr("not-a-real-refresh-token"),
        **times,
    )


# -- the profile ------------------------------------------------------------------------------


async def test_login_keeps_the_tokens_in_a_0600_file_and_never_prints_them(
    clinic: Clinic, db
) -> None:
    email = await signed_in(clinic, db, "front_desk")
    path = ProfileStore(clinic.config_dir).path("front_desk")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    kept = json.loads(path.read_text())
    token, refresh = kept["session"]["access_token"], kept["session"]["refresh_token"]
    assert token.count(".") == 2 and refresh and PASSWORD not in path.read_text()

    printed = [
        await run(clinic, "-p", "front_desk", "whoami", *json_flag)
        for json_flag in ([], ["--json"])
    ]
    for result in printed:
        assert email in result.stdout
        for secret in (token, refresh, PASSWORD):
            assert secret not in result.stdout + result.stderr
    assert set(json.loads(printed[1].stdout)) == {"profile", "urls", "user"}


async def test_renewed_tokens_are_kept_for_the_next_command(clinic: Clinic, db) -> None:
    await signed_in(clinic, db, "front_desk")
    before = stored(clinic, "front_desk").session
    due = before.model_copy(update={"renew_at": datetime.now(UTC) - timedelta(seconds=1)})
    store(clinic, "front_desk", stored(clinic, "front_desk").model_copy(update={"session": due}))

    await run(clinic, "-p", "front_desk", "patients", "search", "nobody")
    after = stored(clinic, "front_desk").session
    assert after.refresh_token != before.refresh_token  # each works once: the new one is kept
    await run(clinic, "-p", "front_desk", "patients", "search", "nobody")


async def test_login_asks_for_the_urls_and_takes_one_behind_the_proxy(
    clinic: Clinic, apps, db
) -> None:
    loop = asyncio.get_running_loop()
    clinic.wiring = Wiring(transport=ThreadBridge(transport_of("proxy", apps), loop), retry=NEVER)
    person = await make_account(db, role="front_desk")
    patient = await make_patient(db, given_name="Proxima")

    result = await run(clinic, "login", "--email", person.email, input=f"{PROXY_URL}\n{PASSWORD}\n")
    assert "Service URLs" in result.stdout and PASSWORD not in result.stdout
    assert stored(clinic, "default").urls == (PROXY_URL,)
    found = await run(clinic, "patients", "search", "proxima", "--json")
    assert [each["id"] for each in json.loads(found.stdout)] == [str(patient.id)]


# -- not signed in, expired -------------------------------------------------------------------


async def test_not_signed_in_says_how_to_sign_in(clinic: Clinic) -> None:
    result = await run(
        clinic, "-p", "desk", "patients", "search", "dana", expect=ExitStatus.SIGNED_OUT
    )
    assert "Not signed in: run `clinic --profile desk login` first." in result.stderr


async def test_an_expired_session_says_sign_in_again(clinic: Clinic, db) -> None:
    await signed_in(clinic, db, "front_desk")
    ran_out = stored(clinic, "front_desk").session.model_copy(
        update={
            "access_expires_at": datetime.now(UTC) - timedelta(minutes=1),
            "renew_at": datetime.now(UTC) - timedelta(minutes=2),
            "refresh_token": SecretStr("used-or-revoked"),  # the service refuses it
        }
    )
    store(
        clinic, "front_desk", stored(clinic, "front_desk").model_copy(update={"session": ran_out})
    )

    result = await run(
        clinic, "-p", "front_desk", "patients", "search", "dana", expect=ExitStatus.SIGNED_OUT
    )
    assert (
        "Your session has expired: sign in again with `clinic --profile front_desk login`."
        in result.stderr
    )
    assert stored(clinic, "front_desk").session is None  # nothing left to present again

    again = await run(
        clinic, "-p", "front_desk", "patients", "search", "--json", expect=ExitStatus.SIGNED_OUT
    )
    assert json.loads(again.stderr)["error"]["kind"] == "signed-out"
    assert again.stdout == ""


async def test_a_wrong_password_is_exit_3(clinic: Clinic, db) -> None:
    person = await make_account(db, role="therapist")
    result = await run(
        clinic,
        "login",
        *URLS,
        "--email",
        person.email,
        input="not-the-password\n",
        expect=ExitStatus.SIGNED_OUT,
    )
    assert "Error:" in result.stderr
    assert ProfileStore(clinic.config_dir).load("default") is None  # nothing kept


# -- unreachable --------------------------------------------------------------------------------


async def test_an_unreachable_service_is_named_with_its_url(clinic_in: Clinic) -> None:
    clinic_in.wiring = Wiring(retry=NEVER)  # real HTTP, to ports nobody listens on
    urls = tuple(f"http://127.0.0.1:{port}" for port in free_ports(3))
    store(clinic_in, "default", Profile(urls=urls, session=session()))

    result = await run(clinic_in, "patients", "search", "dana", expect=ExitStatus.UNREACHABLE)
    assert f"Cannot reach the patients service at {urls[0]}" in result.stderr
    assert "make run" in result.stderr
    as_json = await run(clinic_in, "plan", "--json", expect=ExitStatus.UNREACHABLE)
    assert json.loads(as_json.stderr)["error"] | {"message": ""} == {
        "exit_status": 7,
        "kind": "unreachable",
        "message": "",
        "service": "plans",
    }


# -- invalid input, not found, conflict, usage ------------------------------------------------

NEW_PATIENT = ["patients", "add", "--given", "Dana", "--family", "Okafor", "--sex", "female"]


async def test_invalid_input_names_the_field_and_the_reason(clinic: Clinic, db) -> None:
    await signed_in(clinic, db, "front_desk")
    args = [*NEW_PATIENT, "--birth-date", "1978-04-12", "--location", "rockville"]
    result = await run(clinic, "-p", "front_desk", *args, expect=ExitStatus.INVALID)
    assert "Invalid input:\n  home_location: No clinic has the slug 'rockville'." in result.stderr

    as_json = await run(clinic, "-p", "front_desk", *args, "--json", expect=ExitStatus.INVALID)
    error = json.loads(as_json.stderr)["error"]
    assert error["status"] == 422 and error["kind"] == "invalid"
    assert error["fields"] == [
        {"field": "home_location", "reason": "No clinic has the slug 'rockville'."}
    ]
    assert as_json.stdout == ""


async def test_input_the_client_cannot_send_is_invalid_too(clinic: Clinic, db) -> None:
    await signed_in(clinic, db, "front_desk")
    args = [*NEW_PATIENT, "--birth-date", "1978-13-12", "--location", "gaithersburg", "--json"]
    result = await run(clinic, "-p", "front_desk", *args, expect=ExitStatus.INVALID)
    assert [field["field"] for field in json.loads(result.stderr)["error"]["fields"]] == [
        "birth_date"
    ]


async def test_not_found_forbidden_and_conflict(clinic: Clinic, db) -> None:
    await signed_in(clinic, db, "front_desk")
    await run(
        clinic,
        "-p",
        "front_desk",
        "patients",
        "show",
        str(uuid.uuid4()),
        expect=ExitStatus.NOT_FOUND,
    )
    patient = await make_patient(db)
    await signed_in(clinic, db, "patient", patient=patient)
    await run(clinic, "-p", "patient", "patients", "search", "maria", expect=ExitStatus.NOT_FOUND)
    taken = await make_account(db, role="therapist")
    other = await make_patient(db)
    result = await run(
        clinic,
        "-p",
        "front_desk",
        "patients",
        "account",
        str(other.id),
        "--email",
        taken.email,
        "--password-stdin",
        input="a-long-new-password-77\n",
        expect=ExitStatus.CONFLICT,
    )
    assert "Error:" in result.stderr


async def test_usage_errors_are_exit_2(clinic: Clinic, db) -> None:
    await run(clinic, "log", "--pain", "11", "--done", "toe-spreads", expect=ExitStatus.USAGE)
    await run(
        clinic, "login", "--url", "http://one", "--url", "http://two", expect=ExitStatus.USAGE
    )
    await signed_in(clinic, db, "front_desk")
    await make_patient(db, given_name="Twin", family_name="Same")
    await make_patient(db, given_name="Twin", family_name="Same")
    result = await run(
        clinic, "-p", "front_desk", "patients", "show", "twin same", expect=ExitStatus.USAGE
    )
    assert "Several patients match 'twin same'; give the id:" in result.stderr


# -- --json -----------------------------------------------------------------------------------


async def test_json_answers_are_the_api_records(clinic: Clinic, db) -> None:
    await signed_in(clinic, db, "front_desk")
    patient = await make_patient(db, given_name="Jsonia")
    found = json.loads(
        (await run(clinic, "-p", "front_desk", "patients", "search", "jsonia", "--json")).stdout
    )
    assert [each["id"] for each in found] == [str(patient.id)]
    assert {"given_name", "family_name", "birth_date", "home_location", "version"} <= set(found[0])
    shown = json.loads(
        (
            await run(clinic, "-p", "front_desk", "patients", "show", str(patient.id), "--json")
        ).stdout
    )
    assert shown["id"] == str(patient.id) and shown["diagnoses"][0]["code"] == "G57.62"
