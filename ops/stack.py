"""A throwaway copy of the whole stack (`ops.run`) in a temp folder, on free loopback ports.

What the benchmarks (bench/) and the end-to-end tests of the `clinic` command (tests/cli/)
run against: the real processes, as `make run` starts them, with nothing shared with a
developer's own `make run` (its data folder, its ports, its demo password).
"""

import contextlib
import ctypes
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ops.embedded_db import DB_NAME, DB_USER

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "Clinic is running"
SERVICE_NAMES = ("patients", "plans", "scheduling")
PR_SET_PDEATHSIG = 1


@dataclass
class Stack:
    """Where the running stack answers, and how to sign in to it."""

    data_dir: Path
    ports: dict[str, int]
    db_port: int
    password: str
    # A server of the caller's (the test suite's) instead of an embedded one of its own.
    database_url: str | None = None
    output: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def database_dsn(self) -> str:
        """The stack's database: the one given, or the embedded PostgreSQL that ops.run keeps
        in <data>/postgres."""
        if self.database_url is not None:
            return self.database_url
        password = quote((self.data_dir / "postgres" / "password").read_text().strip(), safe="")
        return f"postgresql://{DB_USER}:{password}@127.0.0.1:{self.db_port}/{DB_NAME}"


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (all held open until every one is picked)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _interrupt_with_parent() -> None:
    """If our process dies outright, the stack gets the same Ctrl-C it would get from us."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT)


def _launch(stack: Stack, root: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "CLINIC_DATA_DIR": str(stack.data_dir),
        "CLINIC_PORTS": ",".join(str(stack.ports[name]) for name in SERVICE_NAMES),
        "CLINIC_EMBEDDED_DB_PORT": str(stack.db_port),
        "CLINIC_DEMO_PASSWORD": stack.password,
    }
    for variable in ("DATABASE_URL", "CLINIC_DATABASE_URL"):
        env.pop(variable, None)  # never a developer's database
    if stack.database_url is not None:
        env["DATABASE_URL"] = stack.database_url
    return subprocess.Popen(
        [sys.executable, "-m", "ops.run"],
        cwd=root,  # `python -m` puts this first on sys.path, so its ops/ and services/ run
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C reaches only us; we pass it on exactly once
        preexec_fn=_interrupt_with_parent if sys.platform == "linux" else None,
    )


def _drain(process: subprocess.Popen[str], lines: "queue.Queue[str | None]") -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _wait_for_banner(stack: Stack, lines: "queue.Queue[str | None]", timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise RuntimeError("ops.run exited before it was ready:\n" + "\n".join(stack.output))
        stack.output.append(line)
        if READY_LINE in line:
            return
    raise RuntimeError(f"no {READY_LINE!r} within {timeout:.0f} s:\n" + "\n".join(stack.output))


def _stop(process: subprocess.Popen[str], timeout: float) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"ops.run did not stop within {timeout:.0f} s; killing it", file=sys.stderr)
        process.kill()
        process.wait(timeout=10)


def _processes_using(folder: Path) -> list[int]:
    """Ids of processes whose command line names the folder (the stack's watchdog, PostgreSQL)."""
    needle, found = str(folder).encode(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if needle in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def _wait_for_strays(folder: Path, timeout: float = 15) -> None:
    """Give the stack's own watchdog time to notice ops.run is gone and exit; report leftovers."""
    if not Path("/proc").is_dir():
        return
    deadline = time.monotonic() + timeout
    while (left := _processes_using(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        print(f"warning: processes still use {folder} after the stop: {left}", file=sys.stderr)


@contextlib.contextmanager
def running_stack(
    root: Path = ROOT,
    start_timeout: float = 120,
    stop_timeout: float = 60,
    *,
    prefix: str = "clinic-stack-",
    database_url: str | None = None,
) -> Iterator[Stack]:
    """Start `ops.run` in a temp folder; always stop it (SIGINT) and delete the folder.
    `database_url`: an existing database to migrate, seed and use (default: a throwaway
    embedded PostgreSQL server of its own, in the folder)."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    *service_ports, db_port = free_ports(len(SERVICE_NAMES) + 1)
    stack = Stack(
        data_dir=data_dir,
        ports=dict(zip(SERVICE_NAMES, service_ports, strict=True)),
        db_port=db_port,
        password=secrets.token_urlsafe(16),
        database_url=database_url,
    )
    process: subprocess.Popen[str] | None = None
    try:
        process = _launch(stack, root)
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_drain, args=(process, lines), daemon=True).start()
        try:
            _wait_for_banner(stack, lines, start_timeout)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log_tails(stack)}") from None
        yield stack
    finally:
        if process is not None:
            _stop(process, stop_timeout)
        _wait_for_strays(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def log_tails(stack: Stack, lines: int = 15) -> str:
    """The last lines of each service's log, to explain a stack that would not start."""
    parts = []
    for name in SERVICE_NAMES:
        path = stack.data_dir / f"{name}.log"
        if path.exists():
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {name}.log (last {len(tail)} lines)\n" + "\n".join(tail))
    return "\n".join(parts)
