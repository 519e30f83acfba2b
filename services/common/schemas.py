"""Base models and field types every service's request bodies share."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


class Strict(BaseModel):
    """Unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _written_as_iso_date(value: Any) -> Any:
    """Dates come as YYYY-MM-DD, as the documents say: pydantic alone would also take a
    number, or a string of digits, as Unix time (`0` is 1970-01-01)."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_written_as_iso_date)]
