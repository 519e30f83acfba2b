"""`clinic-admin`: the operator's command line.

Every command that touches accounts or the audit trail opens its own engine on DATABASE_URL,
commits on success and rolls back on error. Expected failures (a taken email, a weak password,
an unknown account, a malformed id) print one line on stderr and exit with status 1.
"""

import argparse
import asyncio
import getpass
import json
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, NoReturn

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from ops.migrate import upgrade_to_head
from ops.seed import seed
from services.common.database import committing
from services.common.errors import Problem
from services.common.settings import get_settings
from services.patients import accounts, audit
from services.patients.models import AuditEvent, UserAccount
from services.patients.schemas import StaffAccountCreate

PROG = "clinic-admin"
STAFF_ROLES = ("admin", "therapist", "front_desk")
BY_CLI = {"by": PROG}
NO_ORIGIN = audit.Origin(client_ip=None)


class CliError(Exception):
    """A mistake of the operator's: reported in one line, exit status 1."""


# -- plumbing ---------------------------------------------------------------------------------


@asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    """A session of its own on DATABASE_URL: committed on success, rolled back on error."""
    engine = create_async_engine(_database_url())
    try:
        async with committing(AsyncSession(engine, expire_on_commit=False)) as session:
            yield session
    finally:
        await engine.dispose()


def _database_url() -> str:
    try:
        return get_settings().async_database_url
    except ValidationError as exc:
        raise CliError(f"bad settings: {_first_error(exc)}") from None
    except ValueError as exc:  # DATABASE_URL with another scheme
        raise CliError(str(exc)) from None


def _fail(message: str, status: int = 1) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(status)


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
    print("sign-in lock lifted" if lifted else "that account had no failed sign-ins on record")


# -- audit trail ------------------------------------------------------------------------------


async def _trail(patient_id: uuid.UUID, limit: int) -> tuple[list[AuditEvent], bool]:
    """Newest first; reading the trail is itself audited, as it is through the API."""
    async with _session() as session:
        events, more = await audit.trail(
            session,
            patient_id=patient_id,
            actor_user_id=None,
            action=None,
            limit=limit,
            cursor=None,
        )
        await audit.record(
            session, action="audit.read", origin=NO_ORIGIN, patient_id=patient_id, detail=BY_CLI
        )
        return events, more is not None


def _event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
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
        event.occurred_at.isoformat(),
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
    upgrade_to_head(get_settings().database_url)
    print("database schema at head")


def _seed(args: argparse.Namespace) -> None:
    settings = get_settings()
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
    parser = argparse.ArgumentParser(prog=PROG, description="Operate the clinic backend.")
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
    trail = _command(sub, "audit", "print a patient's audit trail, newest first", _audit)
    trail.add_argument("--patient-id", required=True)
    trail.add_argument("--limit", type=int, default=50)
    trail.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except CliError as exc:
        _fail(str(exc))
    except Problem as exc:
        _fail(exc.detail)
    except EOFError:
        _fail("no password given")
    except (OSError, SQLAlchemyError) as exc:
        first_line = (str(exc).splitlines() or [""])[0]
        _fail(f"the database failed: {type(exc).__name__}: {first_line}")
    except KeyboardInterrupt:
        _fail("interrupted", status=130)


if __name__ == "__main__":
    main()
