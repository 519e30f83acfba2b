"""Which code the benchmark runs: the working tree, or a committed revision exported to a temp dir.

Exporting (`git archive`) lets a run measure a known commit while the working tree is mid-edit,
and lets two commits be compared with the same benchmark code.
"""

import contextlib
import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _git_bytes(*args: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise OSError("git is not on PATH")
    # Fixed program and subcommands; a revision is refused if it could pass for an option.
    done = subprocess.run([git, *args], cwd=ROOT, check=True, capture_output=True, timeout=60)  # noqa: S603
    return done.stdout


def _git(*args: str) -> str:
    return _git_bytes(*args).decode(errors="replace").strip()


def describe(ref: str | None) -> str:
    """A line for the report: the commit measured, and whether uncommitted edits were in it."""
    try:
        if ref is not None:
            short = _git("rev-parse", "--short", ref)
            return f"git revision {ref}" + (f" ({short})" if short != ref else "") + ", exported"
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "working tree (git not available)"
    return f"working tree at {head}" + (" with uncommitted changes" if dirty else "")


@contextlib.contextmanager
def source_tree(ref: str | None) -> Iterator[Path]:
    """The folder to run the stack from; a temp export of `ref`, deleted afterwards."""
    if ref is None:
        yield ROOT
        return
    if ref.startswith("-"):
        raise SystemExit(f"--ref {ref!r}: not a revision")
    folder = Path(tempfile.mkdtemp(prefix="clinic-bench-src-"))
    try:
        archive = _git_bytes("archive", "--format=tar", ref)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
