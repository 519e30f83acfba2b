"""`make run` end to end: a real stack of processes, stopped by signal, leaving nothing behind.

Runs `python -m ops.run` (what `make run` runs) in a throwaway data folder on free ports.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import pytest

from ops import run
from ops.seed import SeedReport
from services.patients.identity.passwords import hash_password

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-pass-for-tests-1"
PATIENT = {
    "given_name": "Kept",
    "family_name": "Acrossrestarts",
    "birth_date": "1970-01-01",
    "sex": "male",
    "home_location": "columbia",
}


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


class Stack:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        *self.ports, self.db_port = _free_ports(4)
        self.process: subprocess.Popen[str] | None = None
        self.tail = ""

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "CLINIC_DATA_DIR": str(self.data_dir),
            "CLINIC_EMBEDDED_DB_PORT": str(self.db_port),
            "CLINIC_PORTS": ",".join(map(str, self.ports)),
            "CLINIC_DEMO_PASSWORD": DEMO_PASSWORD,
        }
        env.pop("DATABASE_URL", None)
        env.pop("CLINIC_DATABASE_URL", None)
        return env

    def spawn(self, **settings: str) -> subprocess.Popen[str]:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ops.run"],
            cwd=ROOT,
            env=self.env() | settings,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        return self.process

    def start(self) -> str:
        self.spawn()
        assert self.process is not None and self.process.stdout is not None
        banner = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            banner.append(line)
            if line.startswith("  password:"):
                return "".join(banner)
        raise AssertionError("make run did not come up:\n" + "".join(banner))

    def clinic_admin(self, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """`clinic-admin` as an operator runs it beside this stack: no DATABASE_URL."""
        return subprocess.run(
            [sys.executable, "-m", "ops.cli", *argv],
            cwd=ROOT,
            env=self.env(),
            input=stdin,
            text=True,
            capture_output=True,
            timeout=90,
        )

    def url(self, index: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[index]}{path}"

    def token(self) -> str:
        form = {"username": "frontdesk@clinic.example", "password": DEMO_PASSWORD}
        response = httpx.post(self.url(0, "/v1/auth/token"), data=form, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def stop(self, signum: int) -> int:
        """Send the signal; the exit status. What it printed after the banner is in `tail`."""
        assert self.process is not None and self.process.stdout is not None
        self.process.send_signal(signum)
        status = self.process.wait(timeout=60)
        self.tail = self.process.stdout.read()
        return status

    def leftovers(self) -> list[str]:
        marks = [str(self.data_dir), *(f"--port {p}" for p in self.ports), f"-p {self.db_port}"]
        found = []
        for process in psutil.process_iter(["pid", "cmdline"]):
            cmdline = " ".join(process.info["cmdline"] or [])
            if any(mark in cmdline for mark in marks) and "pytest" not in cmdline:
                found.append(f"{process.info['pid']}: {cmdline}")
        return found


def _wait_until_gone(stack: Stack, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := stack.leftovers()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture
def stack():
    # Not under tmp_path: every pytest session that starts makes /tmp/pytest-of-<user> 0700
    # again, which shuts the server's own user out of its folder when the suite runs as root.
    folder = Path(tempfile.mkdtemp(prefix="clinic-make-run-"))
    stack = Stack(folder / "data")
    yield stack
    if stack.process and stack.process.poll() is None:
        stack.process.kill()
    for line in _wait_until_gone(stack, 10):
        psutil.Process(int(line.split(":")[0])).kill()
    shutil.rmtree(folder, ignore_errors=True)


def _assert_the_banner_names_the_variable(stack: Stack, banner: str) -> None:
    """With CLINIC_DEMO_PASSWORD set, the password is that value; no file is written or named."""
    assert "password:      the value of CLINIC_DEMO_PASSWORD" in banner, banner
    assert "demo-password" not in banner
    assert not (stack.data_dir / "demo-password").exists()


def test_make_run_serves_stops_cleanly_and_keeps_data(stack):
    banner = stack.start()
    for port in stack.ports:
        assert f"http://127.0.0.1:{port}/docs" in banner
    _assert_the_banner_names_the_variable(stack, banner)
    for index in range(3):
        assert httpx.get(stack.url(index, "/readyz"), timeout=5).status_code == 200
    headers = {"Authorization": f"Bearer {stack.token()}"}
    created = httpx.post(stack.url(0, "/v1/patients"), json=PATIENT, headers=headers, timeout=10)
    assert created.status_code == 201, created.text

    # A second `make run` on the same folder is refused, and leaves the first one's database be.
    second = subprocess.run(
        [sys.executable, "-m", "ops.run"],
        cwd=ROOT,
        env=stack.env() | {"CLINIC_PORTS": ",".join(map(str, _free_ports(3)))},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1 and second.stdout == "", second.stdout
    assert second.stderr.count("\n") == 1 and f"pid {stack.process.pid}" in second.stderr
    assert "CLINIC_DATA_DIR" in second.stderr
    assert httpx.get(stack.url(0, "/readyz"), timeout=5).status_code == 200

    # The operator CLI finds the stack's database by itself.
    email = "cli-beside-make-run@clinic.example"
    argv = ("create-user", "--email", email, "--name", "T", "--role", "therapist")
    made = stack.clinic_admin(*argv, "--password-stdin", stdin=f"{DEMO_PASSWORD}\n")
    assert made.returncode == 0 and made.stderr == "", made.stderr
    form = {"username": email, "password": DEMO_PASSWORD}
    assert httpx.post(stack.url(0, "/v1/auth/token"), data=form, timeout=10).status_code == 200

    assert stack.stop(signal.SIGINT) == 0, stack.tail
    assert _wait_until_gone(stack, 10) == []

    # With the stack stopped, it starts the database for the command and stops it again.
    trail = stack.clinic_admin("audit", "--patient-id", created.json()["id"])
    assert trail.returncode == 0, trail.stderr
    assert "\tpatient.create\tsuccess\tfront_desk\t" in trail.stdout
    assert "starting the local database" in trail.stderr
    assert _wait_until_gone(stack, 10) == []

    _assert_the_banner_names_the_variable(stack, stack.start())
    headers = {"Authorization": f"Bearer {stack.token()}"}
    found = httpx.get(
        stack.url(0, "/v1/patients"), params={"name": "acrossrest"}, headers=headers, timeout=10
    )
    assert [p["id"] for p in found.json()["items"]] == [created.json()["id"]]
    assert stack.stop(signal.SIGTERM) == 0, stack.tail
    assert _wait_until_gone(stack, 10) == []


def test_killing_make_run_outright_still_leaves_nothing(stack):
    stack.start()
    stack.stop(signal.SIGKILL)
    # The services die with their parent; the watchdog stops the database.
    assert _wait_until_gone(stack, 20) == []


@pytest.mark.parametrize("taken", ["plans", "PostgreSQL"])
def test_a_taken_port_is_named_in_one_line(stack, taken):
    port, variable = (
        (stack.ports[1], "CLINIC_PORTS")
        if taken == "plans"
        else (stack.db_port, "CLINIC_EMBEDDED_DB_PORT")
    )
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        output, _ = stack.spawn().communicate(timeout=120)
    assert stack.process is not None and stack.process.returncode != 0
    assert "Traceback" not in output and output.count("\n") == 1, output
    assert f"port {port}" in output and taken in output and variable in output
    assert f"pid {os.getpid()}" in output  # who holds it, when that is cheap to know
    assert _wait_until_gone(stack, 10) == []


def test_with_clinic_database_url_the_embedded_port_is_not_needed(stack):
    with socket.socket() as database, socket.socket() as plans:
        for holder, port in ((database, stack.db_port), (plans, stack.ports[1])):
            holder.bind(("127.0.0.1", port))
            holder.listen()
        given = "postgresql://nobody@127.0.0.1:1/none"  # never reached: plans' port stops it
        output, _ = stack.spawn(CLINIC_DATABASE_URL=given).communicate(timeout=120)
    assert f"port {stack.ports[1]} (the plans service)" in output and "PostgreSQL" not in output


# -- what the banner says the demo password is (no stack needed) ---------------------------------


def _report(opened_by: str, *, generated: bool = False) -> SeedReport:
    return SeedReport(
        demo_emails=["admin@clinic.example", "frontdesk@clinic.example"],
        generated_password=opened_by if generated else None,
        demo_password_hash=hash_password(opened_by),
    )


def _banner(report: SeedReport, variable: str | None, capsys) -> str:
    run._keep_generated_password(report)
    run._print_banner(report, variable)
    return capsys.readouterr().out


def test_a_generated_password_is_printed_once_and_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "DATA", tmp_path)
    kept = tmp_path / "demo-password"
    first = _banner(_report("made-up-now-42", generated=True), None, capsys)
    assert f"password:      made-up-now-42   (generated now; also kept in {kept})" in first
    assert kept.read_text() == "made-up-now-42\n" and kept.stat().st_mode & 0o777 == 0o600

    later = _banner(_report("made-up-now-42"), None, capsys)
    assert f"password:      the one kept in {kept}" in later and "made-up-now-42" not in later


def test_the_variable_is_named_only_when_it_opens_the_accounts(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "DATA", tmp_path)
    assert "the value of CLINIC_DEMO_PASSWORD" in _banner(
        _report("set-by-me-77"), "set-by-me-77", capsys
    )

    # Made earlier with a generated password: setting the variable later changes nothing.
    (tmp_path / "demo-password").write_text("made-earlier-42\n")
    later = _banner(_report("made-earlier-42"), "set-by-me-77", capsys)
    assert f"the one kept in {tmp_path / 'demo-password'}" in later
    assert "CLINIC_DEMO_PASSWORD" not in later


def test_an_unknown_password_is_said_so_with_the_way_to_reset_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "DATA", tmp_path)
    (tmp_path / "demo-password").write_text("a-stale-one-42\n")
    out = _banner(_report("made-elsewhere-42"), "not-this-one-7", capsys)
    assert "not kept here" in out and "demo-password" not in out
    assert "clinic-admin reset-password --email admin@clinic.example" in out
