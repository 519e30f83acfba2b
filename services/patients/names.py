"""How names are folded for search: lower case, accents removed ("José" -> "jose")."""

import unicodedata

# Letters that carry no separable accent, so NFKD leaves them whole.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}  # noqa: RUF001
)


def fold(name: str | None) -> str:
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_LETTERS)[:100]


def like_prefix(term: str) -> str:
    """A LIKE pattern matching names that start with term, wildcards in term escaped."""
    escaped = fold(term).replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return escaped + "%"


# Which folded key column each name is searched through.
SEARCH_KEY_OF = {
    "family_name": "family_key",
    "given_name": "given_key",
    "preferred_name": "preferred_key",
}


def search_keys(names: dict[str, str | None]) -> dict[str, str]:
    """The folded key columns for the names given (only those present in names)."""
    return {key: fold(names[name]) for name, key in SEARCH_KEY_OF.items() if name in names}
