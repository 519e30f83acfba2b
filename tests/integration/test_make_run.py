"""`make run` end to end: a real stack of processes, stopped by signal, leaving nothing behind.

Runs `python -m ops.run` (what `make run` runs) in a throwaway data folder on free ports.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

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

    def start(self) -> str:
        env = {
            **os.environ,
            "CLINIC_DATA_DIR": str(self.data_dir),
            "CLINIC_EMBEDDED_DB_PORT": str(self.db_port),
            "CLINIC_PORTS": ",".join(map(str, self.ports)),
            "CLINIC_DEMO_PASSWORD": DEMO_PASSWORD,
        }
        env.pop("DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ops.run"],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        banner = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            banner.append(line)
            if "demo accounts" in line:
                return "".join(banner)
        raise AssertionError("make run did not come up:\n" + "".join(banner))

    def url(self, index: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[index]}{path}"

    def token(self) -> str:
        form = {"username": "frontdesk@clinic.example", "password": DEMO_PASSWORD}
        response = httpx.post(self.url(0, "/v1/auth/token"), data=form, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def stop(self, signum: int) -> int:
        assert self.process is not None
        self.process.send_signal(signum)
        return self.process.wait(timeout=60)

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
def stack(tmp_path):
    stack = Stack(tmp_path / "data")
    yield stack
    if stack.process and stack.process.poll() is None:
        stack.process.kill()
    for line in _wait_until_gone(stack, 10):
        psutil.Process(int(line.split(":")[0])).kill()


def test_make_run_serves_stops_cleanly_and_keeps_data(stack):
    banner = stack.start()
    for port in stack.ports:
        assert f"http://127.0.0.1:{port}/docs" in banner
    for index in range(3):
        assert httpx.get(stack.url(index, "/readyz"), timeout=5).status_code == 200
    headers = {"Authorization": f"Bearer {stack.token()}"}
    created = httpx.post(stack.url(0, "/v1/patients"), json=PATIENT, headers=headers, timeout=10)
    assert created.status_code == 201, created.text

    assert stack.stop(signal.SIGINT) == 0
    assert _wait_until_gone(stack, 10) == []

    stack.start()
    headers = {"Authorization": f"Bearer {stack.token()}"}
    found = httpx.get(
        stack.url(0, "/v1/patients"), params={"name": "acrossrest"}, headers=headers, timeout=10
    )
    assert [p["id"] for p in found.json()["items"]] == [created.json()["id"]]
    assert stack.stop(signal.SIGTERM) == 0
    assert _wait_until_gone(stack, 10) == []


def test_killing_make_run_outright_still_leaves_nothing(stack):
    stack.start()
    stack.stop(signal.SIGKILL)
    # The services die with their parent; the watchdog stops the database.
    assert _wait_until_gone(stack, 20) == []
