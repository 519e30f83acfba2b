"""Progress on long work, shown on stderr while it runs: a bar over many requests, a spinner
while one long request (a series) is answered.

Shown only to a person at a terminal: with `--json`, or with stderr not a terminal (a
script, a pipe, a test), the steps run silently.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from clinic_client.cli.invocation import Invocation

Step = TypeVar("Step")


def steps(invocation: Invocation, items: Sequence[Step], description: str) -> Iterator[Step]:
    if invocation.as_json or not invocation.err.is_terminal or len(items) < 2:
        yield from items
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=invocation.err, transient=True) as progress:
        yield from progress.track(items, description=description)


@contextmanager
def working(invocation: Invocation, description: str) -> Iterator[None]:
    """A spinner saying what is being done while one long request runs."""
    if invocation.as_json or not invocation.err.is_terminal:
        yield
        return
    with invocation.err.status(description):
        yield
