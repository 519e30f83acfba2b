"""`clinic-admin`: the operator's command line.

Every command runs against one database: DATABASE_URL when it is set, else the local one that
`make run` keeps in `.data/postgres` (started for the command, and stopped again, if it is not
running). Commands that touch accounts or the audit trail open their own engine on it, commit
on success and roll back on error. Expected failures (a taken email, a weak password, an
unknown account, a malformed id, no database) print one line on stderr and exit with status 1.
"""

import argparse
import asyncio
import getpass
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from ops import embedded_db
from ops.migrate import upgrade_to_head
from ops.seed import seed
from services.common.audit import AuditQuery
from services.common.auth import STAFF_ROLES
from services.common.columns import utcnow
from services.common.database import committing
from services.common.errors import Problem
from services.common.settings import get_settings
from services.patients import audit
from services.patients.identity import accounts, signin
from services.patients.identity.schemas import StaffAccountCreate
from services.patients.models import AuditEvent, UserAccount
from services.patients.settings import PatientsSettings

PROG = "clinic-admin"
# Timestamps are printed by the serializer the API answers with (ISO 8601, UTC as `Z`).
API_TIME = TypeAdapter(datetime)
DATABASE_HELP = (
    "The database: DATABASE_URL when it is set; otherwise the local one that `make run` keeps "
    "in .data/postgres (CLINIC_DATA_DIR/postgres), on the port it runs on. If that one is not "
    "running, the command starts it and stops it again when done."
)
# The database this invocation uses, found once by main() before the command runs.
_DATABASE_URL: ContextVar[str] = ContextVar("database_url")


class CliError(Exception):
    """A mistake of the operator's: reported in one line, exit status 1."""


# -- plumbing ---------------------------------------------------------------------------------


@asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    """A session of its own on the database found for this command: committed on success,
    rolled back on error."""
    engine = create_async_engine(_database_url())
    try:
        async with committing(AsyncSession(engine, expire_on_commit=False)) as session:
            yield session
    finally:
        await engine.dispose()


def _database_url() -> str:
    return _DATABASE_URL.get()


def _given_database_url() -> str | None:
    """DATABASE_URL (or CLINIC_DATABASE_URL) with the asyncpg driver, if it is set."""
    try:
        settings = get_settings()
        given = "database_url" in settings.model_fields_set
        return settings.async_database_url if given else None
    except ValidationError as exc:
        raise CliError(f"bad settings: {_first_error(exc)}") from None
    except ValueError as exc:  # DATABASE_URL with another scheme
        raise CliError(str(exc)) from None


@contextmanager
def _database() -> Iterator[str]:
    """DATABASE_URL when it is set, else the local database of `make run`."""
    given = _given_database_url()
    if given:
        yield given
    else:
        with _local_database() as url:
            yield url


@contextmanager
def _local_database() -> Iterator[str]:
    folder = embedded_db.local_folder()
    server = embedded_db.find(folder, embedded_db.local_port())
    if server is None:
        raise CliError(
            f"no DATABASE_URL, and no local database in {folder}: run `make run` once to "
            "create it, or set DATABASE_URL"
        )
    if embedded_db.is_running(folder):
        yield server.url()
        return
    with _started(folder, server.port):
        yield server.url()


@contextmanager
def _started(folder: Path, port: int) -> Iterator[None]:
    """The local server, started for this command and stopped after it. Owning the folder
    meanwhile makes a `make run` started now refuse (naming us) instead of losing its database
    when we stop ours."""
    try:
        owned = embedded_db.claim(folder, owner=PROG)
    except embedded_db.FolderInUse as exc:
        raise CliError(f"{exc}; try again once its banner shows") from None
    print(f"{PROG}: starting the local database in {folder} for this command", file=sys.stderr)
    # Stops the server even if this process is killed outright.
    watchdog = embedded_db.spawn_watchdog(folder, owner_pid=os.getpid())
    try:
        _start_local(folder, port)
        yield
    finally:
        watchdog.kill()
        watchdog.wait()
        embedded_db.stop(folder)
        owned.close()


def _start_local(folder: Path, port: int) -> None:
    try:
        embedded_db.start(folder, port=port)
    except RuntimeError as exc:
        raise CliError(f"{exc} (see {folder}/server.log)") from None


def _fail(message: str, status: int = 1) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(status)


def _reason(exc: Exception) -> str:
    """The first line of what failed; a driver's error without SQLAlchemy's wrapping."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return (str(exc.orig).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"


def _first_error(exc: ValidationError) -> str:
    """The first complaint, without the input it echoes (it may be a password)."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "input"
    return f"{where}: {error['msg']}"


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("no password on stdin (one line expected)")
        return password
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat the password: "):
        raise CliError("the two passwords do not match")
    return first


def _parse_uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CliError(f"{what} {value!r} is not a UUID") from None


# -- accounts ---------------------------------------------------------------------------------


def _staff_account(email: str, name: str, role: str, password: str) -> StaffAccountCreate:
    """Validated as the API validates its body."""
    try:
        return StaffAccountCreate.model_validate(
            {"email": email, "display_name": name, "role": role, "password": password}
        )
    except ValidationError as exc:
        raise CliError(_first_error(exc)) from None


async def _insert_account(data: StaffAccountCreate) -> uuid.UUID:
    async with _session() as session:
        account = await accounts.create_staff_account(session, data=data, **accounts.BY_OPERATOR)
        return account.id


def _create(args: argparse.Namespace, role: str) -> None:
    data = _staff_account(args.email, args.name, role, _read_password(args))
    print(asyncio.run(_insert_account(data)))


def _create_admin(args: argparse.Namespace) -> None:
    _create(args, "admin")


def _create_user(args: argparse.Namespace) -> None:
    _create(args, args.role)


async def _reset_password(email: str, password: str) -> UserAccount:
    async with _session() as session:
        return await accounts.reset_password(session, email=email, new_password=password)


def _reset(args: argparse.Namespace) -> None:
    account = asyncio.run(_reset_password(args.email, _read_password(args)))
    print(
        f"password reset for {account.email}; its refresh tokens are revoked and any sign-in "
        "lock lifted (access tokens already issued expire within 15 minutes)"
    )


async def _set_disabled(email: str, disabled: bool) -> UserAccount:
    async with _session() as session:
        return await accounts.set_disabled_by_email(session, email=email, disabled=disabled)


def _disable_user(args: argparse.Namespace) -> None:
    account = asyncio.run(_set_disabled(args.email, True))
    print(
        f"disabled {account.email}; its refresh tokens are revoked "
        "(access tokens already issued stop working within CLINIC_ACCOUNT_CHECK_SECONDS, 5 s)"
    )


def _enable_user(args: argparse.Namespace) -> None:
    account = asyncio.run(_set_disabled(args.email, False))
    print(f"enabled {account.email}")


async def _lift_lock(email: str) -> bool:
    async with _session() as session:
        return await accounts.unlock(session, email=email)


def _unlock(args: argparse.Namespace) -> None:
    lifted = asyncio.run(_lift_lock(args.email))
    if lifted:
        print(f"sign-in lock lifted for {args.email}")
    else:
        print(f"{args.email} had no failed sign-ins on record")


async def _prune_batch() -> signin.Pruned:
    async with _session() as session:  # one short transaction per batch
        return await signin.prune(session, now=utcnow(), batch=signin.PRUNE_BATCH)


async def _prune_all() -> tuple[int, int]:
    tokens = counts = 0
    while True:
        pruned = await _prune_batch()
        tokens, counts = tokens + pruned.refresh_tokens, counts + pruned.sign_in_counts
        if max(pruned.refresh_tokens, pruned.sign_in_counts) < signin.PRUNE_BATCH:
            return tokens, counts


def _prune(args: argparse.Namespace) -> None:
    tokens, counts = asyncio.run(_prune_all())
    print(f"deleted {tokens} refresh tokens of ended sessions and {counts} stale sign-in counts")


# -- audit trail ------------------------------------------------------------------------------


async def _trail(patient_id: uuid.UUID, limit: int) -> tuple[list[AuditEvent], bool]:
    """Newest first; reading the trail is itself audited, as it is through the API."""
    async with _session() as session:
        query = AuditQuery(patient_id=patient_id)
        events, more = await audit.trail.page(session, query=query, limit=limit, cursor=None)
        await audit.record(
            session, action="audit.read", patient_id=patient_id, **accounts.BY_OPERATOR
        )
        return events, more is not None


def _event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": API_TIME.dump_python(event.occurred_at, mode="json"),
        "action": event.action,
        "outcome": event.outcome,
        "actor_role": event.actor_role,
        "actor_user_id": str(event.actor_user_id) if event.actor_user_id else None,
        "client_ip": event.client_ip,
        "request_id": event.request_id,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "detail": event.detail,
    }


def _event_line(event: AuditEvent) -> str:
    fields = (
        API_TIME.dump_python(event.occurred_at, mode="json"),
        event.action,
        event.outcome,
        event.actor_role,
        event.actor_user_id,
        event.client_ip,
        event.request_id,
    )
    return "\t".join("-" if value is None else str(value) for value in fields)


def _audit(args: argparse.Namespace) -> None:
    patient_id = _parse_uuid(args.patient_id, "patient id")
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    events, more = asyncio.run(_trail(patient_id, args.limit))
    for event in events:
        print(json.dumps(_event_dict(event)) if args.json else _event_line(event))
    if not events:
        print(f"no audit events for patient {patient_id}", file=sys.stderr)
    elif more:
        print(f"(older events not shown; raise --limit above {args.limit})", file=sys.stderr)


# -- schema and reference data (unchanged) -----------------------------------------------------


def _migrate(args: argparse.Namespace) -> None:
    upgrade_to_head(_database_url())
    print("database schema at head")


def _seed(args: argparse.Namespace) -> None:
    settings = get_settings(PatientsSettings).model_copy(update={"database_url": _database_url()})
    report = asyncio.run(seed(settings))
    print("reference data present (clinics, appointment types, exercise library)")
    if report.generated_password:
        print(f"demo accounts created with the password: {report.generated_password}")


# -- the parser -------------------------------------------------------------------------------


def _command(
    sub: Any, name: str, help_: str, handler: Callable[[argparse.Namespace], None]
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
    parser.set_defaults(handler=handler)
    return parser


def _with_password(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--email", required=True)
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from one line of stdin instead of prompting twice",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Operate the clinic backend.", epilog=DATABASE_HELP
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _command(sub, "migrate", "upgrade the database schema to the newest migration", _migrate)
    _command(sub, "seed", "add the reference data (and demo accounts outside production)", _seed)
    admin = _with_password(_command(sub, "create-admin", "create an admin account", _create_admin))
    admin.add_argument("--name", required=True, help="the display name")
    user = _with_password(_command(sub, "create-user", "create a staff account", _create_user))
    user.add_argument("--name", required=True, help="the display name")
    user.add_argument("--role", required=True, choices=STAFF_ROLES)
    _with_password(
        _command(sub, "reset-password", "set a new password; revokes refresh tokens", _reset)
    )
    for name, help_, handler in (
        ("disable-user", "disable an account and revoke its refresh tokens", _disable_user),
        ("enable-user", "enable a disabled account again", _enable_user),
        ("unlock", "lift a sign-in lock after too many failed attempts", _unlock),
    ):
        _command(sub, name, help_, handler).add_argument("--email", required=True)
    _command(sub, "prune", "delete ended sessions' refresh tokens and stale sign-in counts", _prune)
    trail = _command(sub, "audit", "print a patient's audit trail, newest first", _audit)
    trail.add_argument("--patient-id", required=True, help="the patient's id (a UUID)")
    trail.add_argument("--limit", type=int, default=50, help="at most this many events (50)")
    trail.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def _run(args: argparse.Namespace) -> None:
    """The command, on the database found for it."""
    with _database() as url:
        found = _DATABASE_URL.set(url)
        try:
            args.handler(args)
        finally:
            _DATABASE_URL.reset(found)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        _run(args)
    except CliError as exc:
        _fail(str(exc))
    except Problem as exc:
        _fail(exc.detail)
    except EOFError:
        _fail("no password given")
    except (OSError, SQLAlchemyError, subprocess.SubprocessError) as exc:
        _fail(f"the database failed: {_reason(exc)}")
    except KeyboardInterrupt:
        _fail("interrupted", status=130)


if __name__ == "__main__":
    main()
