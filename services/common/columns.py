"""Column helpers the three services' models share (timestamps, JSONB, generated ids)."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def created_at_field() -> Any:
    return Field(
        default_factory=utcnow,
        sa_column_kwargs={"server_default": func.now()},
        sa_type=DateTime(timezone=True),  # type: ignore[call-overload]
        nullable=False,
    )


def timestamp_field(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=nullable)  # type: ignore[call-overload]


def jsonb_field(*, default: Any = None, nullable: bool = True) -> Any:
    server_default = None
    if default == []:
        server_default = "[]"
    elif default == {}:
        server_default = "{}"
    kwargs: dict[str, Any] = (
        {"default_factory": (lambda: type(default)())} if default is not None else {"default": None}
    )
    return Field(
        **kwargs,
        sa_column=Column(JSONB, nullable=nullable, server_default=server_default),
    )
