"""One run of the `clinic` command: its profile, its terminal, and the client it signs in with.

`Wiring` is what a test may swap: the HTTP transport (to reach in-process apps). Pass it as
Typer's `obj` (`CliRunner().invoke(app, args, obj=Wiring(transport=...))`).
"""

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import typer
from pydantic import TypeAdapter
from rich.console import Console

from clinic_client import Clinic, Retry, RetryPolicy
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.profiles import Profile, ProfileStore, SignedInUser
from clinic_client.session import Session

_ANYTHING = TypeAdapter(Any)


@dataclass(frozen=True)
class Wiring:
    """The transport and retry policy of the client (None: the client's own)."""

    transport: httpx.BaseTransport | None = None
    retry: RetryPolicy | None = None


@dataclass
class Invocation:
    """The profile named by `--profile`, its store, the terminal, and `--json`."""

    profile_name: str
    store: ProfileStore
    wiring: Wiring = field(default_factory=Wiring)
    as_json: bool = False
    # Made per run (never at import) so that they write to the streams of this run. No
    # markup: names and details from the services print as they are, brackets and all.
    out: Console = field(default_factory=lambda: Console(markup=False, highlight=False))
    err: Console = field(
        default_factory=lambda: Console(stderr=True, markup=False, highlight=False)
    )

    @property
    def sign_in_command(self) -> str:
        named = "" if self.profile_name == "default" else f" --profile {self.profile_name}"
        return f"clinic{named} login"

    def profile(self) -> Profile:
        return self.store.load(self.profile_name) or Profile()

    def signed_in(self) -> Clinic:
        """A client with this profile's session; renewed tokens are saved as they come."""
        profile = self.profile()
        if profile.session is None:
            raise self._not_signed_in()
        return self.client(profile)

    def user(self) -> SignedInUser:
        """Who signed in, as the profile remembers it (no request)."""
        user = self.profile().user
        if user is None:
            raise self._not_signed_in()
        return user

    def _not_signed_in(self) -> CommandFailed:
        message = f"Not signed in: run `{self.sign_in_command}` first."
        return CommandFailed(message, ExitStatus.SIGNED_OUT)

    def client(self, profile: Profile, *, keep: bool = True) -> Clinic:
        """A client of the profile's services; `keep`: save every new session (renewed
        tokens) in the profile as it comes, for the next command."""

        def save(session: Session | None) -> None:
            self.store.save(self.profile_name, profile.model_copy(update={"session": session}))

        return Clinic(
            profile.service_urls(),
            session=profile.session,
            on_session=save if keep else None,
            retry=self.wiring.retry,
            on_retry=self._say_retry,
            transport=self.wiring.transport,
        )

    def _say_retry(self, retry: Retry) -> None:
        self.err.print(
            f"{retry.method} {retry.url}: {retry.reason}; "
            f"trying again in {retry.wait:.1f} s (attempt {retry.attempt + 1})",
            style="dim",
        )

    def emit_json(self, data: Any) -> None:
        """`--json`: the answer as JSON on stdout, and nothing else there."""
        plain = _ANYTHING.dump_python(data, mode="json", by_alias=True)  # the API's field names
        self.out.file.write(json.dumps(plain, indent=2) + "\n")


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the answer as JSON (for scripts), not as tables.")
]


def current(ctx: typer.Context, as_json: bool) -> Invocation:
    """This run's invocation, told whether the command was asked for JSON."""
    invocation = ctx.find_object(Invocation)
    assert invocation is not None, "the app's callback makes it"
    invocation.as_json = as_json
    return invocation


QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print only the new record's id (for scripts).")
]
