"""Cursor (keyset) pagination: stable under inserts, O(limit) at any depth.

A cursor is the sort key of the last row served, as strings in base64url-encoded JSON.
Clients treat it as opaque; a tampered cursor is a 422, never a 500.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, tuple_

from services.common.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 100

LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
CursorQuery = Annotated[
    str | None,
    Query(max_length=512, description="The `next_cursor` of the previous page."),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[Callable[[Any], Any]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError("wrong shape")
        if not all(isinstance(v, str) for v in values):
            raise ValueError("cursor values are strings")
        return [convert(v) for convert, v in zip(types, values, strict=True)]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "The cursor is not one this service issued.", field="query.cursor"
        ) from exc


def after(columns: Sequence[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after the cursor in ascending (columns...) order."""
    return tuple_(*columns) > tuple_(*values)


def before(columns: Sequence[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly before the cursor in ascending order: the next page of a newest-first
    (descending) list."""
    return tuple_(*columns) < tuple_(*values)


def page_of(
    rows: Sequence[T], limit: int, key: Callable[[T], Sequence[Any]]
) -> tuple[list[T], str | None]:
    """Given up to limit+1 rows, the page and the cursor of the next one (None on the last)."""
    items = list(rows[:limit])
    has_more = len(rows) > limit
    return items, encode_cursor(key(items[-1])) if has_more and items else None


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)
