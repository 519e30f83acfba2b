"""`clinic-admin`: accounts and the audit trail from the operator's command line.

The CLI opens its own connections and COMMITS, so nothing here is rolled back: every test
uses emails and ids of its own. `main()` calls asyncio.run, which cannot run inside the
test's event loop, so it runs in a worker thread (with a fresh context, so no request id of
the test leaks into the audit rows it writes). Sign-ins go through the API, whose requests
share the test's rolled-back transaction and still see what the CLI committed.
"""

import asyncio
import io
import json
import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ops import embedded_db
from ops.cli import main
from services.common.settings import get_settings
from services.patients.models import AuditEvent, RefreshToken, UserAccount
from tests.database import clone_template
from tests.factories import headers_for

STRONG = "metatarsal-Glide-917"
OTHER_STRONG = "plantar-Arch-Lift-58"


@pytest.fixture
def cli(database_url, monkeypatch):
    """Point the CLI at this worker's database; `await cli(...)` runs it and gives the status."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()

    async def run(*argv: str, password: str | None = None) -> int:
        if password is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
            argv = (*argv, "--password-stdin")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, _exit_status, list(argv))

    yield run
    get_settings.cache_clear()


def _exit_status(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _email() -> str:
    return f"cli-{uuid.uuid4().hex[:10]}@clinic.example"


async def _sign_in(api, email: str, password: str):
    return await api.post("/v1/auth/token", data={"username": email, "password": password})


async def _account(engine: AsyncEngine, email: str) -> UserAccount | None:
    async with AsyncSession(engine) as session:
        statement = select(UserAccount).where(UserAccount.email == email)
        return (await session.exec(statement)).one_or_none()


async def _audit_rows(engine: AsyncEngine, action: str, entity_id: uuid.UUID) -> list[AuditEvent]:
    async with AsyncSession(engine) as session:
        statement = select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.entity_id == str(entity_id)
        )
        return list((await session.exec(statement)).all())


async def _live_refresh_token(engine: AsyncEngine, user_id: uuid.UUID) -> uuid.UUID:
    """A committed, unrevoked refresh token (the API's own would sit in the rolled-back test
    transaction, where the CLI cannot see it)."""
    later = datetime.now(UTC) + timedelta(hours=1)
    token = RefreshToken(
        user_id=user_id,
        family_id=uuid.uuid4(),
        token_hash=secrets.token_hex(32),
        expires_at=later,
        family_expires_at=later,
    )
    async with AsyncSession(engine, expire_on_commit=False) as session:
        session.add(token)
        await session.commit()
    return token.id


async def _revoked_at(engine: AsyncEngine, token_id: uuid.UUID) -> datetime | None:
    async with AsyncSession(engine) as session:
        token = await session.get(RefreshToken, token_id)
        assert token is not None
        return token.revoked_at


async def _create_admin(cli, capsys, email: str, password: str = STRONG) -> uuid.UUID:
    status = await cli("create-admin", "--email", email, "--name", "Ada Admin", password=password)
    out, err = capsys.readouterr()
    assert status == 0, err
    return uuid.UUID(out.strip())


# -- create-admin / create-user -----------------------------------------------------------------


async def test_create_admin_prints_the_id_and_the_admin_can_sign_in(
    cli, capsys, engine, patients_api
):
    email = _email()
    account_id = await _create_admin(cli, capsys, email.upper())  # stored lower-cased
    account = await _account(engine, email)
    assert account is not None and account.id == account_id and account.role == "admin"

    response = await _sign_in(patients_api, email, STRONG)
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == str(account_id) and claims["role"] == "admin"

    (event,) = await _audit_rows(engine, "user.create", account_id)
    assert event.detail["by"] == "clinic-admin"
    assert event.actor_user_id is None and event.client_ip is None and event.request_id is None


async def test_create_user_with_a_role(cli, capsys, engine, patients_api):
    email = _email()
    argv = ("create-user", "--email", email, "--name", "Theo Rapist", "--role", "therapist")
    assert await cli(*argv, password=STRONG) == 0
    account_id = uuid.UUID(capsys.readouterr().out.strip())
    account = await _account(engine, email)
    assert account is not None and account.role == "therapist"
    assert account.display_name == "Theo Rapist"
    assert len(await _audit_rows(engine, "user.create", account_id)) == 1
    assert (await _sign_in(patients_api, email, STRONG)).status_code == 200


async def test_create_user_refuses_an_unknown_role(cli, capsys):
    argv = ("create-user", "--email", _email(), "--name", "X", "--role", "patient")
    assert await cli(*argv, password=STRONG) == 2  # argparse's usage error
    assert "invalid choice" in capsys.readouterr().err


async def test_a_taken_email_is_refused(cli, capsys, engine):
    email = _email()
    await _create_admin(cli, capsys, email)
    status = await cli("create-admin", "--email", email.title(), "--name", "B", password=STRONG)
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "already exists" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "at least 10 characters"),
        ("password123", "too common or too simple"),
        ("aaaaaaaaaaaa", "too common or too simple"),
    ],
)
async def test_a_weak_password_is_refused_and_nothing_is_created(
    cli, capsys, engine, password, message
):
    email = _email()
    status = await cli("create-admin", "--email", email, "--name", "W", password=password)
    err = capsys.readouterr().err
    assert status == 1 and message in err and err.count("\n") == 1
    assert await _account(engine, email) is None


async def test_a_password_containing_the_email_is_refused(cli, capsys):
    email = _email()
    local = email.split("@")[0]
    status = await cli("create-admin", "--email", email, "--name", "W", password=f"{local}-xyz")
    assert status == 1 and "email address" in capsys.readouterr().err


async def test_a_malformed_email_is_refused(cli, capsys):
    status = await cli("create-admin", "--email", "not-an-email", "--name", "W", password=STRONG)
    err = capsys.readouterr().err
    assert status == 1 and err.startswith("clinic-admin: error: email:")
    assert STRONG not in err


async def test_an_empty_stdin_is_refused(cli, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    status = await cli("create-admin", "--email", _email(), "--name", "E", "--password-stdin")
    assert status == 1 and "no password on stdin" in capsys.readouterr().err


async def test_the_prompt_asks_twice_and_the_two_must_match(cli, capsys, monkeypatch, engine):
    answers = iter([STRONG, OTHER_STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    email = _email()
    assert await cli("create-admin", "--email", email, "--name", "P") == 1
    assert "do not match" in capsys.readouterr().err
    assert await _account(engine, email) is None

    answers = iter([STRONG, STRONG])
    assert await cli("create-admin", "--email", email, "--name", "P") == 0
    assert (await _account(engine, email)) is not None


# -- reset-password / disable-user --------------------------------------------------------------


async def test_reset_password_replaces_the_old_one_and_revokes_sessions(
    cli, capsys, engine, patients_api
):
    email = _email()
    account_id = await _create_admin(cli, capsys, email)
    token_id = await _live_refresh_token(engine, account_id)

    assert await cli("reset-password", "--email", email, password=OTHER_STRONG) == 0
    assert email in capsys.readouterr().out
    assert (await _sign_in(patients_api, email, STRONG)).status_code == 401
    assert (await _sign_in(patients_api, email, OTHER_STRONG)).status_code == 200
    assert await _revoked_at(engine, token_id) is not None
    (event,) = await _audit_rows(engine, "user.password_reset", account_id)
    assert event.detail == {"by": "clinic-admin"}


async def test_reset_password_applies_the_rules_and_needs_a_known_email(cli, capsys):
    email = _email()
    await _create_admin(cli, capsys, email)
    assert await cli("reset-password", "--email", email, password="short") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert await cli("reset-password", "--email", _email(), password=STRONG) == 1
    assert "No account with the email" in capsys.readouterr().err


async def test_disable_user_blocks_sign_in_and_revokes_sessions(cli, capsys, engine, patients_api):
    email = _email()
    account_id = await _create_admin(cli, capsys, email)
    token_id = await _live_refresh_token(engine, account_id)
    assert (await _sign_in(patients_api, email, STRONG)).status_code == 200

    assert await cli("disable-user", "--email", email) == 0
    assert "disabled" in capsys.readouterr().out
    account = await _account(engine, email)
    assert account is not None and account.disabled_at is not None
    assert await _revoked_at(engine, token_id) is not None
    assert (await _sign_in(patients_api, email, STRONG)).status_code == 401
    (event,) = await _audit_rows(engine, "user.disable", account_id)
    assert event.detail == {"by": "clinic-admin"} and event.actor_user_id is None


async def test_enable_user_lets_a_disabled_account_back_in(cli, capsys, engine, patients_api):
    email = _email()
    account_id = await _create_admin(cli, capsys, email)
    assert await cli("disable-user", "--email", email) == 0
    assert await cli("enable-user", "--email", email) == 0
    assert "enabled" in capsys.readouterr().out
    assert (await _sign_in(patients_api, email, STRONG)).status_code == 200
    (event,) = await _audit_rows(engine, "user.enable", account_id)
    assert event.detail == {"by": "clinic-admin"}


async def test_unlock_lifts_a_sign_in_lock(cli, capsys, committed_apis):
    patients_api = committed_apis["patients"]  # the failures must really be committed
    email = _email()
    await _create_admin(cli, capsys, email)
    for _ in range(3):
        assert (await _sign_in(patients_api, email, "wrong-password-x")).status_code == 401
    assert (await _sign_in(patients_api, email, STRONG)).status_code == 429
    assert await cli("unlock", "--email", email) == 0
    assert "lifted" in capsys.readouterr().out
    assert (await _sign_in(patients_api, email, STRONG)).status_code == 200
    assert await cli("unlock", "--email", email) == 0
    assert "no failed sign-ins" in capsys.readouterr().out


async def test_disable_user_needs_a_known_email(cli, capsys):
    assert await cli("disable-user", "--email", _email()) == 1
    err = capsys.readouterr().err
    assert "No account with the email" in err and err.count("\n") == 1


# -- audit --------------------------------------------------------------------------------------


async def _add_events(engine: AsyncEngine, patient_id: uuid.UUID) -> uuid.UUID:
    actor = uuid.uuid4()
    async with AsyncSession(engine) as session:
        for action in ("patient.create", "patient.read"):  # ids ascend: read is the newer
            session.add(
                AuditEvent(
                    actor_user_id=actor,
                    actor_role="therapist",
                    action=action,
                    patient_id=patient_id,
                    client_ip="10.1.2.3",
                    request_id=f"req-{action}",
                )
            )
            await session.flush()
        await session.commit()
    return actor


async def test_audit_prints_the_patients_trail_newest_first(cli, capsys, engine):
    patient_id = uuid.uuid4()
    actor = await _add_events(engine, patient_id)

    assert await cli("audit", "--patient-id", str(patient_id)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[1:] for line in lines] == [
        ["patient.read", "success", "therapist", str(actor), "10.1.2.3", "req-patient.read"],
        ["patient.create", "success", "therapist", str(actor), "10.1.2.3", "req-patient.create"],
    ]
    datetime.fromisoformat(lines[0].split("\t")[0])

    # Reading the trail is audited too, and shows up (newest) in the next reading.
    assert await cli("audit", "--patient-id", str(patient_id), "--json", "--limit", "2") == 0
    out, err = capsys.readouterr()
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["action"] for e in events] == ["audit.read", "patient.read"]
    assert events[0]["detail"] == {"by": "clinic-admin"} and events[0]["actor_user_id"] is None
    assert events[1]["actor_user_id"] == str(actor) and events[1]["client_ip"] == "10.1.2.3"
    assert "older events not shown" in err


async def test_audit_of_a_patient_without_events_prints_nothing(cli, capsys):
    assert await cli("audit", "--patient-id", str(uuid.uuid4())) == 0
    out, err = capsys.readouterr()
    assert out == "" and "no audit events" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--patient-id", "not-a-uuid"), "is not a UUID"),
        (("--patient-id", str(uuid.uuid4()), "--limit", "0"), "at least 1"),
    ],
)
async def test_audit_refuses_bad_arguments(cli, capsys, argv, message):
    assert await cli("audit", *argv) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


async def test_an_unreachable_database_is_one_line_not_a_traceback(cli, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    assert await cli("disable-user", "--email", _email()) == 1
    err = capsys.readouterr().err
    assert err.startswith("clinic-admin: error: the database failed:") and err.count("\n") == 1


async def test_audit_prints_times_as_the_api_does(cli, capsys, engine, db, apps, patients_api):
    patient_id = uuid.uuid4()
    await _add_events(engine, patient_id)
    assert await cli("audit", "--patient-id", str(patient_id), "--json") == 0
    by_cli = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert await cli("audit", "--patient-id", str(patient_id)) == 0
    lines = capsys.readouterr().out.splitlines()

    headers = await headers_for(db, apps, "admin")
    answer = await patients_api.get(
        "/v1/audit", params={"patient_id": str(patient_id)}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    by_api = answer.json()["items"]  # the two audit.read rows of the CLI, then the two events
    assert [e["occurred_at"] for e in by_cli] == [e["occurred_at"] for e in by_api[2:]]
    assert [line.split("\t")[0] for line in lines] == [e["occurred_at"] for e in by_api[1:]]
    assert all(e["occurred_at"].endswith("Z") for e in by_api)


# -- finding the database: DATABASE_URL, else the one `make run` keeps in .data/ ---------------


def _lay_out_make_run_data(data: Path, *, password: str, port: int) -> Path:
    """A `.data` folder as a running `make run` leaves it: the server's password file, and a
    postmaster.pid that names a live process (this one) and the port the server listens on."""
    pgdata = data / "postgres" / "pgdata"
    pgdata.mkdir(parents=True)
    (data / "postgres" / "password").write_text(password + "\n")
    (pgdata / "PG_VERSION").write_text("18\n")
    (pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pgdata}\n0\n{port}\n\n127.0.0.1\n")
    return data


@pytest.fixture
def no_database_url(cli, monkeypatch, tmp_path):
    """The CLI with neither DATABASE_URL nor a running stack: `.data` is an empty folder."""
    for name in ("DATABASE_URL", "CLINIC_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLINIC_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    return tmp_path / "data"


@pytest.fixture
async def make_run_database(no_database_url, database_url, monkeypatch) -> str:
    """This suite's server stands in for the one `make run` started: its `clinic` database
    becomes a copy of the migrated template, and `.data` describes the server as running."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("would replace the `clinic` database of a server the suite does not own")
    server = make_url(database_url)
    assert server.password is not None and server.port is not None
    _lay_out_make_run_data(no_database_url, password=server.password, port=server.port)
    # The running server's own port wins over the configured one, as it does for `make run`.
    monkeypatch.setenv("CLINIC_EMBEDDED_DB_PORT", "1")
    return await clone_template(database_url, embedded_db.DB_NAME)


async def test_without_database_url_it_uses_the_database_of_make_run(
    cli, capsys, make_run_database
):
    email = _email()
    account_id = await _create_admin(cli, capsys, email)
    local = create_async_engine(make_run_database)
    try:
        account = await _account(local, email)
    finally:
        await local.dispose()
    assert account is not None and account.id == account_id


async def test_database_url_wins_over_the_local_database(
    cli, capsys, engine, tmp_path, monkeypatch
):
    data = _lay_out_make_run_data(tmp_path / "data", password="not-the-password", port=1)
    monkeypatch.setenv("CLINIC_DATA_DIR", str(data))
    email = _email()
    account_id = await _create_admin(cli, capsys, email)
    account = await _account(engine, email)
    assert account is not None and account.id == account_id


async def test_without_any_database_it_says_how_to_get_one(cli, capsys, no_database_url):
    assert await cli("unlock", "--email", _email()) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(no_database_url / "postgres") in err
    assert "make run" in err and "DATABASE_URL" in err


def test_help_says_where_the_database_comes_from(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "DATABASE_URL" in out and ".data/postgres" in out and "make run" in out
