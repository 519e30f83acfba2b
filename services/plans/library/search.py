"""How the library is searched: every word of `q` must appear, in any case, in an exercise's
name, purpose, instructions or tags; the filters narrow by exact tag, equipment tag, body
region and where the exercise can be done. The library is a few hundred rows at most, so
a scan in name order is the plan; the keyset (name, id) keeps pages stable."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, func, or_
from sqlmodel import col, select

from services.common.pagination import after
from services.plans.models import Exercise

ORDER = (col(Exercise.name), col(Exercise.id))
MAX_WORDS = 8
# "Can be done at home" includes the exercises done anywhere.
SETTINGS_OF = {"home": ("home", "both"), "clinic": ("clinic", "both"), "both": ("both",)}


@dataclass(frozen=True, slots=True)
class ExerciseSearch:
    """What a search asks for (validated by the route); None means any."""

    q: str | None = None
    tag: str | None = None
    equipment: str | None = None
    setting: Literal["home", "clinic", "both"] | None = None
    body_region: str | None = None
    include_retired: bool = False


def _contains(word: str) -> str:
    """A LIKE pattern finding the word anywhere, its own % _ and \\ taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def _mentions(word: str) -> ColumnElement[bool]:
    searched: Sequence[Any] = (
        col(Exercise.name),
        col(Exercise.purpose),
        col(Exercise.instructions),
        func.array_to_string(col(Exercise.tags), " "),
    )
    pattern = _contains(word)
    return or_(*(column.ilike(pattern, escape="\\") for column in searched))


def _conditions(search: ExerciseSearch) -> list[ColumnElement[bool]]:
    conditions = [_mentions(word) for word in (search.q or "").split()[:MAX_WORDS]]
    if not search.include_retired:
        conditions.append(col(Exercise.retired_at).is_(None))
    if search.tag:
        conditions.append(col(Exercise.tags).contains([search.tag]))
    if search.equipment:
        conditions.append(col(Exercise.equipment).contains([search.equipment]))
    if search.setting:
        conditions.append(col(Exercise.setting).in_(SETTINGS_OF[search.setting]))
    if search.body_region:
        conditions.append(col(Exercise.body_region) == search.body_region)
    return conditions


def search_statement(
    search: ExerciseSearch, *, after_key: Sequence[Any] | None, limit: int
) -> Select[Any]:
    """The matching exercises in name order, after after_key, at most limit of them."""
    conditions = _conditions(search)
    if after_key is not None:
        conditions.append(after(ORDER, after_key))
    return select(Exercise).where(*conditions).order_by(*ORDER).limit(limit)
