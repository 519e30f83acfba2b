"""The `clinic` command: its commands, grouped by who uses them, and how it fails.

Every command takes `--json`. A failure is told in one message on stderr, never as a
traceback, and the exit status says what kind of failure it was (exits.py).
"""

import json
import sys
from typing import Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperGroup

from clinic_client.cli import account, home, patients, plans, schedule, series, waiting
from clinic_client.cli.exits import ExitStatus, Failure, failure_of
from clinic_client.cli.invocation import Invocation, Wiring
from clinic_client.cli.profiles import PROFILE_NAME, ProfileStore, config_dir

EVERYONE, PATIENT, FRONT_DESK = "Everyone", "Patients", "Front desk"
THERAPIST, ADMIN = "Therapists", "Admins"


class ClinicGroup(TyperGroup):
    """Turns the client's errors into a message and an exit status, for every command."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            invocation = ctx.obj if isinstance(ctx.obj, Invocation) else None
            sign_in = invocation.sign_in_command if invocation else "clinic login"
            failure = failure_of(error, sign_in_again=sign_in)
            if failure is None:
                raise
            _report(invocation, failure)
            raise typer.Exit(int(failure.status)) from None


def _report(invocation: Invocation | None, failure: Failure) -> None:
    if invocation is not None and invocation.as_json:
        invocation.err.file.write(_json_line(failure))
    elif invocation is not None:
        invocation.err.print(Text.assemble(("Error:", "bold red"), " ", failure.message))
    else:
        sys.stderr.write(f"Error: {failure.message}\n")


def _json_line(failure: Failure) -> str:
    return json.dumps(failure.as_json()) + "\n"


app = typer.Typer(
    cls=ClinicGroup,
    name="clinic",
    help="The clinic from a terminal: home programs, appointments, patients and plans of care.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # never a traceback with local variables (tokens)
    rich_markup_mode="rich",
)


@app.callback()
def _profile(
    ctx: typer.Context,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            "-p",
            envvar="CLINIC_PROFILE",
            help="Which sign-in to use; keep one per person or role (`desk`, `dana`).",
        ),
    ] = "default",
) -> None:
    if not PROFILE_NAME.match(profile):
        raise typer.BadParameter("letters, digits, '.', '_' and '-' only", param_hint="--profile")
    wiring = ctx.obj if isinstance(ctx.obj, Wiring) else Wiring()
    ctx.obj = Invocation(profile_name=profile, store=ProfileStore(config_dir()), wiring=wiring)


def _register() -> None:
    everyone = {"login": account.login, "logout": account.logout, "whoami": account.whoami}
    for name, command in everyone.items():
        app.command(name, rich_help_panel=EVERYONE)(command)
    for name, command in home.COMMANDS.items():
        app.command(name, rich_help_panel=PATIENT)(command)
    app.add_typer(patients.app, name="patients", rich_help_panel=FRONT_DESK)
    for name, command in schedule.COMMANDS.items():
        app.command(name, rich_help_panel=FRONT_DESK)(command)
    app.command("series", rich_help_panel=FRONT_DESK)(series.series)
    app.add_typer(waiting.hold_app, name="hold", rich_help_panel=FRONT_DESK)
    app.add_typer(waiting.waitlist_app, name="waitlist", rich_help_panel=FRONT_DESK)
    app.add_typer(plans.app, name="plans", rich_help_panel=THERAPIST)
    app.command("queue", rich_help_panel=THERAPIST)(plans.queue)
    app.add_typer(schedule.hours_app, name="hours", rich_help_panel=ADMIN)


_register()


__all__ = ["ExitStatus", "app"]
