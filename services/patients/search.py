"""How names are folded for search: lower case, accents removed ("José" -> "jose")."""

import unicodedata


def fold(name: str | None) -> str:
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()[:100]


def like_prefix(term: str) -> str:
    """A LIKE pattern matching names that start with term, wildcards in term escaped."""
    escaped = fold(term).replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return escaped + "%"
