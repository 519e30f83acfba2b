"""Optimistic concurrency for records with a `version`: the ETag out, If-Match in, and the
UPDATE that applies a change only to the version the client read.

A record's ETag is its version as a strong entity tag: `"3"`. If-Match compares strongly
(RFC 9110, 13.1.1): a weak tag (`W/"3"`) never matches, `*` matches any current record, and
of a list of tags any one may match. The header is read by a dependency but checked only
when the route asks for it, which is after FastAPI validated the body: a malformed body is
reported before a malformed If-Match, and an anonymous caller hears 401 before either.
"""

import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Header, Response
from sqlalchemy import update
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.columns import utcnow
from services.common.errors import PreconditionFailed, PreconditionRequired

_ENTITY_TAG = r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*'
_TAG_LIST = re.compile(rf"{_ENTITY_TAG}(?:,{_ENTITY_TAG})*")
_TAG = re.compile(_ENTITY_TAG)
_VERSION = re.compile(r"[0-9]{1,9}")

IF_MATCH_MISSING = "Send If-Match with the ETag from your last read of this record."
IF_MATCH_UNUSABLE = (
    "If-Match must hold the ETag from your last read of this record as it was sent, or *; "
    "a weak (W/) tag never matches."
)
CHANGED_SINCE_READ = (
    "The record changed since you read it: read it again and apply your change to what it "
    "holds now."
)
ETAG_HEADER = {
    "ETag": {
        "description": 'The record\'s version as a strong entity tag (`"3"`): send it back in '
        "If-Match to change the record.",
        "required": True,
        "schema": {"type": "string"},
    }
}


class Versioned(Protocol):
    version: int


V = TypeVar("V", bound=Versioned)
M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True, slots=True)
class IfMatch:
    """The If-Match header as sent, and whether the route requires one."""

    raw: str | None
    required: bool

    def versions(self) -> frozenset[int] | None:
        """The versions the client accepts; None for `*` (or no header, where optional).
        Missing where required: 428. Not a list of entity tags, or none of them strong
        and one of ours: 412, since no version of the record can match it."""
        if self.raw is None:
            if self.required:
                raise PreconditionRequired(IF_MATCH_MISSING)
            return None
        if self.raw.strip() == "*":
            return None
        versions = frozenset(
            int(tag)
            for weak, tag in _strong_or_weak_tags(self.raw)
            if not weak and _VERSION.fullmatch(tag)
        )
        if not versions:
            raise PreconditionFailed(IF_MATCH_UNUSABLE)
        return versions


def _strong_or_weak_tags(raw: str) -> list[tuple[str, str]]:
    if not _TAG_LIST.fullmatch(raw):
        return []
    return [(match[1] or "", match[2]) for match in _TAG.finditer(raw)]


_IF_MATCH_DOC = "The ETag from your last read of this record, or `*` for any version."


def require_if_match(
    if_match: Annotated[str | None, Header(max_length=512, description=_IF_MATCH_DOC)] = None,
) -> IfMatch:
    """If-Match for a route that refuses a blind change (428 without it). Typed optional so
    a missing one reaches the route; services/common/openapi.py documents it as required."""
    return IfMatch(if_match, required=True)


def accept_if_match(
    if_match: Annotated[str | None, Header(max_length=512, description=_IF_MATCH_DOC)] = None,
) -> IfMatch:
    """If-Match for a route that checks it when sent."""
    return IfMatch(if_match, required=False)


IfMatchRequired = Annotated[IfMatch, Depends(require_if_match)]
IfMatchOptional = Annotated[IfMatch, Depends(accept_if_match)]


def answers_with_etag(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses=` entry declaring the ETag header on the route's success answer."""
    return {status: {"headers": ETAG_HEADER}}


def etag_of(record: Versioned) -> str:
    """The record's ETag: its version as a strong entity tag."""
    return f'"{record.version}"'


def with_etag(response: Response, record: V) -> V:
    response.headers["ETag"] = etag_of(record)
    return record


def created_headers(location: str, record: Versioned) -> dict[str, str]:
    """The headers of a 201: where the new record is read, and its ETag."""
    return {"Location": location, "ETag": etag_of(record)}


async def update_if_version(
    session: AsyncSession,
    model: type[M],
    record_id: uuid.UUID,
    expected_version: int | Collection[int],
    values: Mapping[str, Any],
) -> M:
    """One atomic `UPDATE ... SET version = version + 1 WHERE id = :id AND version IN
    (:expected)`: of writers racing with the same ETag exactly one wins, the others get 412
    and change nothing. Answers the row as it is now (412 when no row was at that version)."""
    expected = [expected_version] if isinstance(expected_version, int) else list(expected_version)
    table: Any = model
    stamped = {**values, "version": table.version + 1}
    if "updated_at" in model.model_fields:
        stamped["updated_at"] = utcnow()
    statement = (
        update(table)
        .where(col(table.id) == record_id, col(table.version).in_(expected))
        .values(**stamped)
        .returning(table)
        .execution_options(populate_existing=True)
    )
    row = (await session.exec(statement)).scalar_one_or_none()
    if row is None:
        raise PreconditionFailed(CHANGED_SINCE_READ)
    return row
