"""`make run`: the database, migrations, seed data and the three services, as one command.

Ctrl-C (SIGINT) or SIGTERM stops the services first, then the database. A watchdog stops the
database even if this process is killed outright, and each service dies with this process.
Every port is checked before anything starts, so a taken one is named in one line.

Settings: CLINIC_DATA_DIR (.data), CLINIC_PORTS (8001,8002,8003), CLINIC_EMBEDDED_DB_PORT
(54329); with DATABASE_URL set, that server is used and no embedded one is started.
"""

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

import httpx

from ops import embedded_db
from ops.migrate import upgrade_to_head
from ops.seed import SeedReport, seed
from services.common.settings import SERVICE_CLIENTS
from services.patients.identity.passwords import verify_password
from services.patients.identity.tokens import generate_private_key_pem
from services.patients.settings import PatientsSettings

ROOT = Path(__file__).resolve().parents[1]
# Overridable so a test can run a second, throwaway instance beside a developer's.
DATA = embedded_db.local_data_dir()
_PORTS = [int(p) for p in os.environ.get("CLINIC_PORTS", "8001,8002,8003").split(",")]
SERVICES = tuple(zip(("patients", "plans", "scheduling"), _PORTS, strict=True))
DB_PORT = embedded_db.local_port()
PR_SET_PDEATHSIG = 1


class CannotStart(Exception):
    """Why the stack cannot start: said in one line, without a traceback."""


def _progress(message: str) -> None:
    print(message, flush=True)


def _dev_signing_key() -> Path:
    """One dev key, made on the first run and kept, so tokens survive restarts."""
    path = DATA / "jwt-ed25519.pem"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        path.write_text(generate_private_key_pem())
        path.chmod(0o600)
    return path


def _dev_client_secrets() -> dict[str, str]:
    """One client secret per calling service, made on the first run and kept like the key,
    so the services' tokens for each other survive restarts."""
    path = DATA / "service-clients.json"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        made = {
            f"CLINIC_{name.upper()}_CLIENT_SECRET": secrets.token_urlsafe(32)
            for name in SERVICE_CLIENTS
        }
        path.write_text(json.dumps(made, indent=2) + "\n")
        path.chmod(0o600)
    return dict(json.loads(path.read_text()))


def _service_env() -> dict[str, str]:
    urls = {name: f"http://127.0.0.1:{port}" for name, port in SERVICES}
    return {
        **_dev_client_secrets(),
        "CLINIC_JWT_PRIVATE_KEY_FILE": str(_dev_signing_key()),
        "CLINIC_JWT_ISSUER": urls["patients"],
        "CLINIC_PATIENTS_URL": urls["patients"],
        "CLINIC_PLANS_URL": urls["plans"],
        "CLINIC_SCHEDULING_URL": urls["scheduling"],
    }


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn and PostgreSQL
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _holder(port: int) -> str:
    """' by pid N (name)' for whoever listens on the port, when the system says so cheaply."""
    try:
        import psutil  # a development dependency, which `make run` installs
    except ImportError:
        return ""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == "LISTEN" and conn.pid:
                return f" by pid {conn.pid} ({psutil.Process(conn.pid).name()})"
    except (psutil.Error, OSError):
        pass  # only a courtesy: the port is named anyway
    return ""


def _other_ports(ports: list[int]) -> str:
    return ",".join(str(p + 10000 if p + 10000 < 65536 else p - 10000) for p in ports)


def _check_ports(db_dir: Path | None) -> None:
    """Refuse to start when another program holds a port we need, saying which and how to move."""
    services = [port for _, port in SERVICES]
    wanted = [
        (port, f"the {name} service", f"CLINIC_PORTS={_other_ports(services)}")
        for name, port in SERVICES
    ]
    if db_dir is not None and not embedded_db.is_running(db_dir):  # a running one is ours
        wanted.insert(0, (DB_PORT, "PostgreSQL", f"CLINIC_EMBEDDED_DB_PORT={DB_PORT + 1}"))
    for port, needed_by, setting in wanted:
        if not _port_is_free(port):
            raise CannotStart(
                f"port {port} ({needed_by}) is taken{_holder(port)}; stop that program, "
                f"or choose another port: {setting} make run"
            )


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start_service(name: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        f"services.{name}.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--no-proxy-headers",  # nothing sits in front locally: never trust X-Forwarded-For
        "--timeout-graceful-shutdown",
        "10",
        "--log-config",
        str(ROOT / "services/common/uvicorn_logging.json"),
    ]
    env = {**env, "CLINIC_SERVICE_NAME": name}
    log = open(DATA / f"{name}.log", "ab")  # noqa: SIM115  (lives as long as the process)
    return subprocess.Popen(
        args,
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )


def _wait_ready(processes: dict[str, subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    for (name, port), process in zip(SERVICES, processes.values(), strict=True):
        while True:
            if process.poll() is not None:
                raise CannotStart(f"the {name} service exited; see {DATA}/{name}.log")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise CannotStart(f"the {name} service did not become ready; see {DATA}/{name}.log")
            time.sleep(0.1)


def _keep_generated_password(report: SeedReport) -> None:
    """Kept at once, before anything else can fail: it is shown only on this run."""
    if report.generated_password:
        kept = DATA / "demo-password"
        kept.write_text(report.generated_password + "\n")
        kept.chmod(0o600)


def _demo_password(report: SeedReport, variable: str | None) -> str:
    """What opens the demo accounts, checked against the stored hash so the banner never lies."""
    kept = DATA / "demo-password"
    if report.generated_password:
        return f"{report.generated_password}   (generated now; also kept in {kept})"
    if variable and verify_password(report.demo_password_hash, variable):
        return "the value of CLINIC_DEMO_PASSWORD"
    if kept.exists() and verify_password(report.demo_password_hash, kept.read_text().strip()):
        return f"the one kept in {kept}"
    return (
        "the one set when they were made (not kept here); set a new one with "
        f".venv/bin/clinic-admin reset-password --email {report.demo_emails[0]}"
    )


def _print_banner(report: SeedReport, demo_password_variable: str | None) -> None:
    print("\nClinic is running. Ctrl-C stops everything.\n")
    for name, port in SERVICES:
        print(f"  {name:<11} http://127.0.0.1:{port}   docs: http://127.0.0.1:{port}/docs")
    print(f"\n  logs: {DATA}/<service>.log   database: {DATA}/postgres")
    print("  operator commands: .venv/bin/clinic-admin --help (they find this database)")
    if report.demo_emails:
        print("\n  demo accounts: " + ", ".join(report.demo_emails))
        print(f"  password:      {_demo_password(report, demo_password_variable)}")
    print(flush=True)


def _stop(processes: dict[str, subprocess.Popen[bytes]], db_dir: Path | None) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    if db_dir is not None:
        embedded_db.stop(db_dir)
    print("Stopped.", flush=True)


def _claim(db_dir: Path) -> TextIO:
    try:
        return embedded_db.claim(db_dir, owner="make run")
    except embedded_db.FolderInUse as exc:
        raise CannotStart(
            f"{exc}; stop it first, or give this copy its own CLINIC_DATA_DIR "
            "(and CLINIC_PORTS, CLINIC_EMBEDDED_DB_PORT)"
        ) from None


def _start_database(db_dir: Path) -> str:
    if embedded_db.is_running(db_dir):
        _progress(f"Using the PostgreSQL already running in {db_dir}...")
    else:
        _progress(f"Starting PostgreSQL in {db_dir} on port {DB_PORT}...")
    try:
        url = embedded_db.start(db_dir, port=DB_PORT).url()
    except RuntimeError as exc:
        raise CannotStart(f"{exc} (see {db_dir}/server.log)") from None
    embedded_db.spawn_watchdog(db_dir, owner_pid=os.getpid())
    return url


def _serve(processes: dict[str, subprocess.Popen[bytes]], stopping: dict[str, bool]) -> None:
    while not stopping["signal"]:
        if any(p.poll() is not None for p in processes.values()):
            print(f"A service exited unexpectedly; see {DATA}/*.log. Stopping.", flush=True)
            return
        time.sleep(0.2)


def _run(settings: PatientsSettings, db_dir: Path | None) -> None:
    stopping = {"signal": False}

    def on_signal(signum: int, frame: object) -> None:
        stopping["signal"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    env = {**os.environ, **_service_env()}
    if db_dir is not None:
        env["DATABASE_URL"] = _start_database(db_dir)
        settings = settings.model_copy(update={"database_url": env["DATABASE_URL"]})
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        _progress("Migrating and seeding the database...")
        upgrade_to_head(settings.async_database_url)
        report = asyncio.run(seed(settings))
        _keep_generated_password(report)
        _progress("Starting the services...")
        processes = {name: _start_service(name, port, env) for name, port in SERVICES}
        _wait_ready(processes)
        _print_banner(report, settings.demo_password)
        _serve(processes, stopping)
    finally:
        _stop(processes, db_dir)


def main() -> None:
    keep_layout = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser("python -m ops.run", formatter_class=keep_layout)
    parser.description = __doc__
    parser.parse_args()  # takes no arguments; --help describes it instead of starting it
    settings = PatientsSettings()
    # DATABASE_URL or CLINIC_DATABASE_URL: that server, and no embedded one.
    db_dir = None if "database_url" in settings.model_fields_set else DATA / "postgres"
    with _claim(db_dir) if db_dir is not None else contextlib.nullcontext():
        _check_ports(db_dir)
        _run(settings, db_dir)


if __name__ == "__main__":
    try:
        main()
    except CannotStart as exc:
        print(f"make run: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
