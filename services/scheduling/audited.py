"""Audit rows about the scheduling records (appointments, holds, wait-list entries, their
offers): each row names the record and, when it names a patient, is on that patient's trail.
A refusal (a 4xx problem) keeps its row through the request's rollback.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common import idempotency
from services.common.auth import Caller
from services.common.errors import Problem
from services.scheduling import audit
from services.scheduling.models import Appointment, IdempotencyKey

APPOINTMENT = "appointment"  # the audit rows' name of an appointment


@dataclass(frozen=True, slots=True)
class Subject:
    """What an action was about, as far as it is known: a record (its kind and id) and the
    patient it names."""

    entity: tuple[str, uuid.UUID] | None = None
    patient_id: uuid.UUID | None = None

    @classmethod
    def of(cls, appointment: Appointment) -> "Subject":
        return cls((APPOINTMENT, appointment.id), appointment.patient_id)


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


async def claim_or_replay(
    session: AsyncSession,
    request: Request,
    *,
    key: str | None,
    of: str,
    shown: Callable[[bytes], Subject],
    caller: Caller,
    origin: audit.Origin,
) -> idempotency.Claim:
    """Claim the request's Idempotency-Key. A replay shows the record again, so it is
    audited (`shown`: what the stored answer names) before the caller returns it."""
    claimed = await idempotency.claim(
        session, IdempotencyKey, key=key, caller=str(caller.user_id), request=request
    )
    if claimed.replay is not None:
        subject = shown(claimed.replay.body)
        await audit.record_replay(
            session,
            of=of,
            caller=caller,
            origin=origin,
            patient_id=subject.patient_id,
            entity=subject.entity,
        )
    return claimed
