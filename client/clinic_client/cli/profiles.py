"""Profiles: one sign-in each, kept between commands in the user's config folder.

A profile holds where the services are (the URLs given at `clinic login`), who signed in, and
the session's tokens. It is one JSON file, `<config>/profiles/<name>.json`, written with
0600 permissions (the folder 0700) and replaced whole on every change, so that a renewed
refresh token (each works once) is never lost half-written. The config folder is
`$CLINIC_CONFIG_DIR` when set, else the platform's (`$XDG_CONFIG_HOME/clinic`, by default
`~/.config/clinic`, on Linux).

Several profiles let one person keep several sign-ins (`clinic --profile desk ...`): the
front desk's and a test patient's, say. Two commands of one profile running at the same
moment may both renew its tokens; the service then ends the session (a refresh token
presented twice) and the next command asks for a new sign-in.
"""

import os
import re
from pathlib import Path
from uuid import UUID

import platformdirs
from pydantic import BaseModel

from clinic_client.layout import ServiceURLs
from clinic_client.session import Session

CONFIG_DIR_VARIABLE = "CLINIC_CONFIG_DIR"
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
LOCAL_URLS = ("http://127.0.0.1:8001", "http://127.0.0.1:8002", "http://127.0.0.1:8003")


class SignedInUser(BaseModel):
    """Who signed in, as `/v1/users/me` said at sign-in."""

    id: UUID
    email: str
    display_name: str
    role: str
    patient_id: UUID | None = None


class Profile(BaseModel):
    """Where the services are (one proxy URL, or patients, plans and scheduling), who signed
    in and their session (None when signed out)."""

    urls: tuple[str, ...] = LOCAL_URLS
    user: SignedInUser | None = None
    session: Session | None = None

    def service_urls(self) -> ServiceURLs:
        return service_urls_of(self.urls)


def service_urls_of(urls: tuple[str, ...]) -> ServiceURLs:
    """One URL: the reverse proxy in front of all three; three: patients, plans, scheduling."""
    if len(urls) == 1:
        return ServiceURLs.behind_proxy(urls[0])
    patients, plans, scheduling = urls
    return ServiceURLs(patients=patients, plans=plans, scheduling=scheduling)


def config_dir() -> Path:
    given = os.environ.get(CONFIG_DIR_VARIABLE)
    return Path(given) if given else Path(platformdirs.user_config_dir("clinic"))


class ProfileStore:
    """The profiles in one config folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        if not PROFILE_NAME.match(name):
            raise ValueError(f"{name!r} is not a profile name (letters, digits, . _ -)")
        return self.folder / "profiles" / f"{name}.json"

    def load(self, name: str) -> Profile | None:
        path = self.path(name)
        if not path.exists():
            return None
        return Profile.model_validate_json(path.read_text(encoding="utf-8"))

    def save(self, name: str, profile: Profile) -> None:
        text = profile.model_dump_json(indent=2, context={"reveal": True})
        write_private(self.path(name), text + "\n")


def write_private(path: Path, text: str) -> None:
    """Write `text` readable by its owner only (0600), replacing the file in one step."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if hasattr(os, "fchmod"):  # an older leftover scratch file may have been looser
        os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(scratch, path)
