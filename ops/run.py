"""`make run`: the database, migrations, seed data and the three services, as one command.

Ctrl-C (SIGINT) or SIGTERM stops the services first, then the database. A watchdog stops the
database even if this process is killed outright, and each service dies with this process.
"""

import asyncio
import ctypes
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ops import embedded_db
from ops.migrate import upgrade_to_head
from ops.seed import SeedReport, seed
from services.common.settings import SERVICE_CLIENTS, Settings
from services.patients.tokens import generate_private_key_pem

ROOT = Path(__file__).resolve().parents[1]
# Overridable so a test can run a second, throwaway instance beside a developer's.
DATA = Path(os.environ.get("CLINIC_DATA_DIR", ROOT / ".data")).resolve()
_PORTS = [int(p) for p in os.environ.get("CLINIC_PORTS", "8001,8002,8003").split(",")]
SERVICES = tuple(zip(("patients", "plans", "scheduling"), _PORTS, strict=True))
DB_PORT = int(os.environ.get("CLINIC_EMBEDDED_DB_PORT", "54329"))
PR_SET_PDEATHSIG = 1


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
                raise RuntimeError(f"the {name} service exited; see {DATA}/{name}.log")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the {name} service did not become ready; see {DATA}/{name}.log"
                )
            time.sleep(0.1)


def _print_banner(report: SeedReport) -> None:
    print("\nClinic is running. Ctrl-C stops everything.\n")
    for name, port in SERVICES:
        print(f"  {name:<11} http://127.0.0.1:{port}   docs: http://127.0.0.1:{port}/docs")
    print(f"\n  logs: {DATA}/<service>.log   database: {DATA}/postgres")
    if report.demo_emails:
        kept = DATA / "demo-password"
        if report.generated_password:
            kept.write_text(report.generated_password + "\n")
            kept.chmod(0o600)
            password = f"{report.generated_password}   (generated; also kept in {kept})"
        else:
            password = f"the one set when the accounts were made (CLINIC_DEMO_PASSWORD or {kept})"
        print("\n  demo accounts: " + ", ".join(report.demo_emails))
        print(f"  password:      {password}")
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


def main() -> None:
    stopping = {"signal": False}

    def on_signal(signum: int, frame: object) -> None:
        stopping["signal"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    env = {**os.environ, **_service_env()}
    db_dir = None
    if "DATABASE_URL" not in os.environ:
        db_dir = DATA / "postgres"
        env["DATABASE_URL"] = embedded_db.start(db_dir, port=DB_PORT).url()
        embedded_db.spawn_watchdog(db_dir, owner_pid=os.getpid())
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        settings = Settings(database_url=env["DATABASE_URL"])
        upgrade_to_head(settings.database_url)
        report = asyncio.run(seed(settings))
        processes = {name: _start_service(name, port, env) for name, port in SERVICES}
        _wait_ready(processes)
        _print_banner(report)
        while not stopping["signal"]:
            if any(p.poll() is not None for p in processes.values()):
                print(f"A service exited unexpectedly; see {DATA}/*.log. Stopping.", flush=True)
                break
            time.sleep(0.2)
    finally:
        _stop(processes, db_dir)


if __name__ == "__main__":
    main()
