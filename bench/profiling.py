"""Where an app's CPU goes per request: a py-spy sampling profile, sorted into request steps.

`python -m bench --scenario me-plans --profile` records each app (the plans service, the
ceiling) for one more round under the same load, with py-spy counting only samples that hold
the GIL (CPU spent in Python, not waiting). Each sample goes to the first step below that one
of its frames matches, in the order listed (the narrowest steps first; uvicorn, the root of
every stack, last). A step's share is turned into milliseconds with the CPU per request
measured from /proc in the ordinary rounds: py-spy pauses the process for every sample and
slows it down. py-spy is not a project dependency: install it in the virtualenv
(`.venv/bin/pip install py-spy`) to use `--profile`.
"""

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

RATE = 200  # samples a second
RESULTS_DIR = Path(__file__).resolve().parent / "results"  # git-ignored

STEPS: tuple[tuple[str, str], ...] = (
    ("token check (EdDSA signature, claims)", r"TokenVerifier\.verify|Verifier\.patient"),
    ("account check (cached 5 s)", r"ensure_active"),
    ("thread-pool hop for a sync dependency", r"run_in_threadpool|Thread\._bootstrap"),
    ("new database connections (pool overflow)", r"connect_utils|_dbapi_connection\.create"),
    ("pre-ping on checkout (BEGIN, `;`, ROLLBACK)", r"_async_ping|do_ping \("),
    (
        "connection checkout and return",
        r"sqlalchemy/pool/|PoolAcquireContext|Pool\.(acquire|release)|Session\.close",
    ),
    ("BEGIN", r"_start_transaction|Transaction\.start"),
    # SQLAlchemy runs the ORM in a greenlet: py-spy shows its frames as a stack of their own,
    # rooted at Session.exec or Session.commit, and the driver calls under AsyncSession.*.
    ("audit INSERT (ORM flush)", r"Session\._flush|AsyncSession\.commit.*_prepare_and_execute"),
    (
        "COMMIT",
        r"Transaction\.(commit|__commit|__aexit__)|AsyncSession\.commit|Session\.commit \(",
    ),
    ("plan SELECT", r"AsyncSession\.exec \(|Session\.exec \(|Connection\.fetch \(asyncpg"),
    ("audit INSERT", r"Connection\.execute \(asyncpg/connection"),
    ("decoding the JSONB columns (json.loads)", r"JSONDecoder|_jsonb_decoder|loads \(json"),
    ("building the SELECT statement (each request)", r"own_plans_statement|_own_visible"),
    ("the audit row as an ORM object (SQLModel, session.add)", r"AuditTrail\.(record|event)"),
    (
        "building the answer (read models, JSON)",
        r"my_plan \(|my_exercise \(|model_dump_json|_json \(|dumps \(json",
    ),
    ("route function (rest)", r"list_my_plans \("),
    (
        "request id, client address, access log (middleware)",
        r"_who_is_asking|_answer_headers|adopt_request_id|release_request_id|logging/",
    ),
    ("FastAPI dependencies (rest)", r"solve_dependencies"),
    (
        "Starlette / FastAPI (routing, middleware, response)",
        r"FastAPI\.__call__|Starlette\.__call__",
    ),
    ("event loop, uvicorn's HTTP, driver callbacks", r"uvicorn|Runner\.run"),
)
OTHER = "unattributed (no Python frame)"
Steps = Sequence[tuple[str, str]]  # (name, regular expression), the narrowest first


@dataclass(frozen=True)
class Profile:
    """Samples per step of one app under load; `steps` the step names, in report order."""

    label: str
    samples: Counter[str]
    steps: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.samples.values())

    def share(self, step: str) -> float:
        return self.samples[step] / self.total if self.total else 0.0


def py_spy() -> str:
    """The py-spy program, next to this Python or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


def output_for(label: str) -> Path:
    """Where an app's raw stacks are kept after the run (for py-spy's own viewers, or grep)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR / f"profile-{label.replace(' ', '-')}.txt"


def start_recording(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling a process for `seconds`, GIL-holding samples only, raw stacks."""
    args = [py_spy(), "record", "--pid", str(pid), "--duration", str(max(1, round(seconds)))]
    args += ["--rate", str(RATE), "--gil", "--nolineno", "--format", "raw", "-o", str(output)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603


def finish_recording(
    recording: subprocess.Popen[bytes], label: str, output: Path, steps: Steps = STEPS
) -> Profile:
    _, errors = recording.communicate(timeout=120)
    if recording.returncode != 0 or not output.exists():
        raise RuntimeError(f"py-spy failed on {label}: {errors.decode(errors='replace')[-500:]}")
    return Profile(label, steps_of(output.read_text(), steps), step_names(steps))


def steps_of(raw: str, steps: Steps = STEPS) -> Counter[str]:
    """Samples per step from py-spy's raw output (`frame;frame;... count` per line)."""
    matchers = [(name, re.compile(pattern)) for name, pattern in steps]
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            counts[step_of(stack, matchers)] += int(count)
    return counts


def step_of(stack: str, matchers: Sequence[tuple[str, re.Pattern[str]]]) -> str:
    for name, matcher in matchers:
        if matcher.search(stack):
            return name
    return OTHER


def step_names(steps: Steps = STEPS) -> tuple[str, ...]:
    return (*(name for name, _ in steps), OTHER)
