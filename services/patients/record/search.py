"""How patients are found: names are folded (see names.py) into C-collated key columns,
and this is the query that searches them.

A name word may start the family, given or preferred name. One OR across the three would
walk the (family, given, id) index filtering rows, which for a late-alphabet family name
reads most of the table. Instead each column is searched in its own branch, as an index
range (key >= 'smi' AND key < 'smj'), each branch already ordered and limited; the page
is then cut from their union. Ranges also keep a generic prepared plan on the index.
"""

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Select, and_, or_, union_all
from sqlmodel import col, select

from services.common.pagination import after
from services.patients.models import Patient
from services.patients.names import fold, like_prefix

ORDER = (col(Patient.family_key), col(Patient.given_key), col(Patient.id))
NAME_KEYS = (col(Patient.family_key), col(Patient.given_key), col(Patient.preferred_key))
_EXACT = {
    "birth_date": Patient.birth_date,
    "phone": Patient.phone,
    "home_location": Patient.home_location,
}


@dataclass(frozen=True, slots=True)
class PatientSearch:
    """What a search asks for (validated by the route); None means any."""

    status: Literal["active", "archived"] = "active"
    name: str | None = None
    birth_date: date | None = None
    phone: str | None = None  # E.164
    home_location: str | None = None

    def asked(self) -> dict[str, str]:
        """The filters given, as text (for the audit trail)."""
        return {k: str(v) for k, v in asdict(self).items() if v is not None}


def sort_key(patient: Patient) -> tuple[str, str, uuid.UUID]:
    return patient.family_key, patient.given_key, patient.id


def search_statement(
    search: PatientSearch, *, after_key: Sequence[Any] | None, limit: int
) -> Select[Any]:
    """The patients matching the search, in ORDER, after after_key, at most limit of them."""
    conditions = [col(Patient.status) == search.status]
    exact = {f: getattr(search, f) for f in _EXACT}
    conditions += [col(c) == exact[f] for f, c in _EXACT.items() if exact[f] is not None]
    if after_key is not None:
        conditions.append(after(ORDER, after_key))
    words = [w for w in (fold(w) for w in (search.name or "").split()[:4]) if w]
    if not words:
        return select(Patient).where(*conditions).order_by(*ORDER).limit(limit)
    conditions += [or_(*(key.like(like_prefix(w)) for key in NAME_KEYS)) for w in words[1:]]
    branches = [
        select(col(Patient.id))
        .where(*conditions, _starts_with(key, words[0]))
        .order_by(*ORDER)
        .limit(limit)
        for key in NAME_KEYS
    ]
    matching = union_all(*branches).subquery()
    return (
        select(Patient)
        .where(col(Patient.id).in_(select(matching.c.id)))
        .order_by(*ORDER)
        .limit(limit)
    )


def _starts_with(key: Any, prefix: str) -> Any:
    """key starts with prefix, as an index range: in C collation, byte order is code point order."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return key.like(like_prefix(prefix))
    return and_(key >= prefix, key < prefix[:-1] + chr(last + 1))
