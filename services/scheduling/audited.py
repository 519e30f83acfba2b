"""Audit rows about the scheduling records besides appointments (holds, wait-list entries,
their offers): each row names the record and, when it names a patient, is on that patient's
trail. A refusal (a 4xx problem) keeps its row through the request's rollback.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import Problem
from services.scheduling import audit


@dataclass(frozen=True, slots=True)
class Subject:
    """What an action was about, as far as it is known: a record (its kind and id) and the
    patient it names."""

    entity: tuple[str, uuid.UUID] | None = None
    patient_id: uuid.UUID | None = None


def audited_refusal(
    problem: Problem, action: str, *, caller: Caller, origin: audit.Origin, subject: Subject
) -> Problem:
    """The problem, keeping an audit row of the refused attempt through the rollback."""
    row = audit.event(
        action=action,
        outcome="denied",
        caller=caller,
        origin=origin,
        patient_id=subject.patient_id,
        entity=subject.entity,
        detail={"status": problem.status, "type": problem.type_slug},
    )
    return problem.keeping(row)


@contextmanager
def refusals_audited(
    action: str, *, caller: Caller, origin: audit.Origin, subject: Subject
) -> Iterator[None]:
    """A refusal raised in the block keeps an audit row of the attempt. Other failures
    (503: another service did not answer) are not refusals."""
    try:
        yield
    except Problem as problem:
        if 400 <= problem.status < 500:
            audited_refusal(problem, action, caller=caller, origin=origin, subject=subject)
        raise


async def record(
    session: AsyncSession,
    action: str,
    subject: Subject,
    *,
    caller: Caller,
    origin: audit.Origin,
    detail: dict[str, object] | None = None,
) -> None:
    """An audit row of a read or a change of the record."""
    await audit.record(
        session,
        action=action,
        caller=caller,
        origin=origin,
        patient_id=subject.patient_id,
        entity=subject.entity,
        detail=detail,
    )
