"""Signing in and out, and who is signed in: the same for every role.

`clinic login` asks where the services are (one URL behind the reverse proxy, or the three
services' URLs), the email and the password (never echoed, never stored: only the tokens
the sign-in gives are kept, in the profile, with 0600 permissions).
"""

import sys
from typing import Annotated

import typer

from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import JsonOption, current
from clinic_client.cli.profiles import Profile, SignedInUser

URLS_HELP = (
    "Where the services are: one URL (the reverse proxy of docker-compose) or three "
    "(patients, plans, scheduling; `make run` serves them on ports 8001-8003)."
)


def login(
    ctx: typer.Context,
    url: Annotated[list[str] | None, typer.Option("--url", help=URLS_HELP)] = None,
    email: Annotated[str | None, typer.Option(help="Your sign-in email.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin (scripts).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Sign in, and keep the session in this profile."""
    invocation = current(ctx, as_json)
    urls = _urls(url) if url else _ask_urls(invocation.profile().urls)
    email = email or typer.prompt("Email")
    password = _password(password_stdin)
    fresh = Profile(urls=urls)
    with invocation.client(fresh, keep=False) as clinic:
        clinic.sign_in(email, password)
        me = clinic.users.me()
        session = clinic.session
    user = SignedInUser.model_validate(me.model_dump())
    invocation.store.save(
        invocation.profile_name, fresh.model_copy(update={"user": user, "session": session})
    )
    if invocation.as_json:
        invocation.emit_json({"profile": invocation.profile_name, "urls": urls, "user": user})
        return
    invocation.out.print(
        f"Signed in as {user.display_name} ({_role(user.role)}) at {', '.join(urls)}. "
        f"Profile {invocation.profile_name} kept in "
        f"{invocation.store.path(invocation.profile_name)}."
    )


def logout(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Forget this profile's session (the URLs stay for the next `clinic login`)."""
    invocation = current(ctx, as_json)
    profile = invocation.profile()
    signed_out = profile.model_copy(update={"session": None, "user": None})
    invocation.store.save(invocation.profile_name, signed_out)
    if invocation.as_json:
        invocation.emit_json({"profile": invocation.profile_name, "signed_in": False})
    else:
        invocation.out.print(f"Signed out of profile {invocation.profile_name}.")


def whoami(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Who this profile is signed in as, and where (never the tokens)."""
    invocation = current(ctx, as_json)
    profile = invocation.profile()
    user = invocation.user()
    with invocation.signed_in() as clinic:
        clinic.users.me()  # proves the session still works (renewing it if it must)
    if invocation.as_json:
        invocation.emit_json(
            {"profile": invocation.profile_name, "urls": profile.urls, "user": user}
        )
        return
    invocation.out.print(
        f"{user.display_name} <{user.email}>, {_role(user.role)}, at {', '.join(profile.urls)} "
        f"(profile {invocation.profile_name})"
    )


def _role(role: str) -> str:
    return role.replace("_", " ")


def _urls(given: list[str]) -> tuple[str, ...]:
    urls = tuple(part for each in given for part in each.replace(",", " ").split())
    if len(urls) not in (1, 3):
        raise typer.BadParameter("give one URL (the proxy) or three", param_hint="--url")
    for each in urls:
        if not each.startswith(("http://", "https://")):
            raise typer.BadParameter(f"{each!r} is not an http(s) URL", param_hint="--url")
    return tuple(each.rstrip("/") for each in urls)


def _ask_urls(known: tuple[str, ...]) -> tuple[str, ...]:
    answer = typer.prompt(
        "Service URLs (one behind the proxy, or patients plans scheduling)",
        default=" ".join(known),
    )
    return _urls([answer])


def _password(from_stdin: bool) -> str:
    password = (
        sys.stdin.readline().rstrip("\r\n")
        if from_stdin
        else typer.prompt("Password", hide_input=True)
    )
    if not password:
        raise CommandFailed("No password given.", ExitStatus.USAGE)
    return password
