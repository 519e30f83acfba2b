"""Condition protocols: read by every user, added and changed by admins (optimistic
concurrency). A protocol names its exercises by slug; each must be a live exercise of the
library, stored with its id. Functions flush; the request's session commits; every edit is
audited."""

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.audit import Origin
from services.common.auth import Caller
from services.common.errors import InvalidInput, NotFound
from services.common.pagination import after, decode_cursor, page_of
from services.common.preconditions import update_if_version
from services.plans.content import ProtocolExercise
from services.plans.library.entries import insert_claiming_slug, record_change
from services.plans.library.lookup import protocol_by_slug
from services.plans.library.schemas import (
    DosageRead,
    ProtocolCreate,
    ProtocolExerciseIn,
    ProtocolExerciseRead,
    ProtocolRead,
    ProtocolUpdate,
)
from services.plans.library.search import SETTINGS_OF
from services.plans.models import Exercise, Protocol

ORDER = (col(Protocol.name), col(Protocol.id))
# The body's name of a field, and the protocol column that stores it.
COLUMN_OF = {"red_flag_criteria": "red_flags", "goal_templates": "goals"}


# -- reading ----------------------------------------------------------------------------------


async def protocol_reads(
    session: AsyncSession, protocols: Sequence[Protocol]
) -> list[ProtocolRead]:
    """The protocols as read, each exercise with the library's name for it (one query)."""
    ids = {uuid.UUID(e["exercise_id"]) for p in protocols for e in p.exercises}
    found = await session.exec(select(Exercise).where(col(Exercise.id).in_(ids)))
    exercises = {e.id: e for e in found.all()}
    return [_protocol_read(p, exercises) for p in protocols]


def _protocol_read(protocol: Protocol, exercises: dict[uuid.UUID, Exercise]) -> ProtocolRead:
    return ProtocolRead.model_validate(
        protocol.model_dump()
        | {
            "exercises": [_exercise_read(e, exercises) for e in protocol.exercises],
            "red_flag_criteria": protocol.red_flags,
            "goal_templates": protocol.goals,
        }
    )


def _exercise_read(
    stored: dict[str, Any], exercises: dict[uuid.UUID, Exercise]
) -> ProtocolExerciseRead:
    exercise = exercises.get(uuid.UUID(stored["exercise_id"]))
    return ProtocolExerciseRead(
        slug=stored["slug"],
        name=exercise.name if exercise else stored["slug"],
        part=stored.get("part"),
        dosage=DosageRead.model_validate(stored.get("dosage") or {}),
        retired=exercise is None or exercise.retired_at is not None,
    )


async def list_protocols(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[Protocol], str | None]:
    statement = select(Protocol)
    if cursor:
        statement = statement.where(after(ORDER, decode_cursor(cursor, [str, uuid.UUID])))
    rows = (await session.exec(statement.order_by(*ORDER).limit(limit + 1))).all()
    return page_of(rows, limit, lambda p: (p.name, p.id))


async def protocol_or_404(session: AsyncSession, *, slug: str) -> Protocol:
    protocol = await protocol_by_slug(session, slug)
    if protocol is None:
        raise NotFound(f"No protocol has the slug {slug!r}.")
    return protocol


# -- the exercises a protocol names -----------------------------------------------------------


def _refused(index: int, field: str, why: str, *, of: str = "exercises") -> InvalidInput:
    where = f"{of}[{index}].{field}"
    return InvalidInput(
        f"{where}: {why}",
        errors=[{"loc": ["body", of, index, field], "msg": why, "type": "value_error"}],
    )


async def _named_exercises(session: AsyncSession, slugs: Collection[str]) -> dict[str, Exercise]:
    """The exercises with these slugs, retired ones too, locked against a delete or a
    retirement until this request commits (so a protocol never names a deleted exercise)."""
    statement = (
        select(Exercise).where(col(Exercise.slug).in_(set(slugs))).with_for_update(read=True)
    )
    return {e.slug: e for e in (await session.exec(statement)).all()}


def _check_item(index: int, item: ProtocolExerciseIn, exercise: Exercise | None) -> Exercise:
    if exercise is None:
        raise _refused(index, "slug", f"no exercise of the library has the slug {item.slug!r}")
    if exercise.retired_at is not None:
        raise _refused(index, "slug", f"the exercise {item.slug!r} is retired")
    if item.part and exercise.setting not in SETTINGS_OF[item.part]:  # done there?
        why = f"the exercise {item.slug!r} is done in the {exercise.setting} only"
        raise _refused(index, "part", why)
    return exercise


async def _stored_exercises(
    session: AsyncSession, items: Sequence[ProtocolExerciseIn]
) -> list[dict[str, Any]]:
    """Each item checked (live, named once, in a part its setting allows), as stored."""
    found = await _named_exercises(session, [item.slug for item in items])
    stored, seen = [], set()
    for index, item in enumerate(items):
        if item.slug in seen:
            raise _refused(index, "slug", f"the exercise {item.slug!r} is listed twice")
        seen.add(item.slug)
        exercise = _check_item(index, item, found.get(item.slug))
        entry = ProtocolExercise(
            exercise_id=exercise.id, slug=item.slug, part=item.part, dosage=item.dosage
        )
        stored.append(entry.model_dump(mode="json"))
    return stored


def _check_education(data: ProtocolCreate | ProtocolUpdate) -> None:
    seen: set[str] = set()
    for index, item in enumerate(data.education or []):  # type: ignore[arg-type]
        if item.slug in seen:
            raise _refused(index, "slug", f"{item.slug!r} is listed twice", of="education")
        seen.add(item.slug)


async def _row_values(
    session: AsyncSession, data: ProtocolCreate | ProtocolUpdate, fields: Collection[str]
) -> dict[str, Any]:
    """These fields of the body (lists and the red-flag criteria whole), as the row stores
    them."""
    if "education" in fields:
        _check_education(data)
    sent = data.model_dump(mode="json", exclude={"exercises"})
    values = {COLUMN_OF.get(name, name): sent[name] for name in fields if name in sent}
    if "exercises" in fields:
        values["exercises"] = await _stored_exercises(session, data.exercises)  # type: ignore[arg-type]
    return values


# -- editing ----------------------------------------------------------------------------------


async def add_protocol(
    session: AsyncSession, *, data: ProtocolCreate, caller: Caller, origin: Origin
) -> Protocol:
    """Insert unless the slug is taken (409), race-safe as adding an exercise is."""
    protocol = await insert_claiming_slug(
        session,
        Protocol,
        await _row_values(session, data, ProtocolCreate.model_fields),
        taken=f"A protocol already has the slug {data.slug!r}; choose another.",
    )
    await record_change(session, "protocol.create", protocol, caller=caller, origin=origin)
    return protocol


async def change_protocol(
    session: AsyncSession,
    *,
    slug: str,
    data: ProtocolUpdate,
    expected_versions: Collection[int] | None,
    caller: Caller,
    origin: Origin,
) -> Protocol:
    """Apply the fields sent if the protocol is still at one of expected_versions."""
    protocol = await protocol_or_404(session, slug=slug)
    values = await _row_values(session, data, data.model_fields_set)
    changed = await update_if_version(
        session, Protocol, protocol.id, expected_versions or protocol.version, values
    )
    await record_change(
        session,
        "protocol.update",
        changed,
        caller=caller,
        origin=origin,
        fields=sorted(data.model_fields_set),
        version=changed.version,
    )
    return changed
