"""What a name may hold, how names are folded for search (lower case, accents removed:
"José" -> "jose"), and how a patient is named to other services (display name, initials)."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# Refused anywhere in a name: controls (Cc), format characters (Cf: the bidi controls
# U+202A-202E, U+2066-2069, the marks U+200E, U+200F, U+061C, the zero-width U+200B-200D,
# U+2060, U+FEFF, the soft hyphen), private use, lone surrogates, line and paragraph
# separators. Each either hides or reorders what a reader sees: "\u202eeniraM" shows as
# "Marine" on screen and in a PDF, so one patient could pass for another.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
# Letters and symbols that draw nothing: the Hangul fillers and the blank braille cell.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def readable_text(text: str) -> str:
    """text in NFC (one string however it was typed) if a reader sees what it says;
    ValueError if it holds a hiding or reordering character or shows nothing at all."""
    composed = unicodedata.normalize("NFC", text)
    for char in composed:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise ValueError(f"holds U+{ord(char):04X}, a control or invisible character")
    if not any(_shows(char) for char in composed):
        raise ValueError("holds no visible character")
    return composed


def _shows(char: str) -> bool:
    """A letter, digit, punctuation mark or symbol that draws something; not a space, nor an
    accent alone."""
    return char not in _BLANK and unicodedata.category(char)[0] in "LNPS"


# Letters that carry no separable accent, so NFKD leaves them whole.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}  # noqa: RUF001
)


def display_name(given: str, family: str, preferred: str | None) -> str:
    """How staff call the patient: the name they go by (preferred, else given) and the family
    name, "Liz Moreau"."""
    return f"{preferred or given} {family}"


def initials(given: str, family: str, preferred: str | None) -> str:
    """The initials of the display name, "L.M.": all a calendar outside the clinic may show."""
    return "".join(f"{_first_letter(name)}." for name in (preferred or given, family))


def _first_letter(name: str) -> str:
    """The first letter or digit ("d'Arcy" -> "D"), upper-cased; the first character else."""
    shown = next((c for c in name if unicodedata.category(c)[0] in "LN"), name[:1])
    return shown.upper()[:1]


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


# Names and other identity texts: trimmed, in NFC, nothing hidden or reordered.
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(readable_text),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(readable_text),
]
