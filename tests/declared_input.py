"""Requests built from what a route declares in its OpenAPI operation: valid values, and
hostile ones for each parameter and each body field (tests/test_no_server_errors.py walks
every route with them).

What counts as valid for a field the schema alone cannot say (a name, a phone, a diagnosis
code) comes from the caller, as `Known` values: the walk knows the clinic's records.
"""

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
# (field name, in a form?, the field's format) -> a valid value, or None. The format tells
# apart fields of one name: `start` is a local "HH:MM" in hours, a date-time in time off.
# LEFT_OUT: a valid body leaves the field out (a body takes it or another, not both).
Known = Callable[[str, bool, str | None], Any]
LEFT_OUT = object()

# -- hostile values ----------------------------------------------------------------------------

GARBAGE_IDS = [
    str(uuid.uuid4()),  # well formed, nobody's
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "%27%20OR%201%3D1",
    "%00",
    "%ff%fe",
]
NOT_THE_MEDIA_TYPE: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "application/json"),
    "malformed json": (b'{"given_name": "A", ', "application/json"),
    "json array": (b"[1, 2, 3]", "application/json"),
    "json null": (b"null", "application/json"),
    "json string": (b'"hello"', "application/json"),
    "deep nesting": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "invalid utf-8": (b'{"given_name": "\xff\xfe"}', "application/json"),
    "form garbage": (b"username=%ZZ&password=%", "application/x-www-form-urlencoded"),
    "multipart garbage": (
        b"--xx\r\nContent-Disposition: form-data\r\n\r\n",
        "multipart/form-data; boundary=xx",
    ),
    "xml": (b"<patient/>", "application/xml"),
}
TEXT = [
    ("null", None),
    ("NUL", "a\x00b"),
    ("long", "x" * 5000),
    ("lone surrogate", "\ud800"),
    ("number", 12345),
    ("empty", ""),
    ("bidi and emoji", "Zo\u00eb \u202e\U0001f9b6\u200b"),
    ("LIKE wildcards", "%_\\"),
]
NUMBER = [
    ("null", None),
    ("huge", 10**30),
    ("negative", -1),
    ("NaN", float("nan")),
    ("string", "1"),
    ("fraction", 1.5),
    ("zero", 0),
    ("bool", True),
]
DATE = [
    ("30 February", "2024-02-30"),
    ("year 0", "0000-01-01"),
    ("year 10000", "10000-01-01"),
    ("before 1900", "1899-12-31"),
    ("future", "2999-01-01"),
    ("with a time", "2024-01-01T00:00:00"),
]
EMAIL = [("no at", "not-an-email"), ("long", "x" * 300 + "@example.com"), ("bare", "a@b")]
SHAPE = {
    "object": [("null", None), ("list", []), ("string", "x"), ("empty", {}), ("unknown", {"z": 1})],
    "array": [("null", None), ("object", {}), ("string", "x"), ("nulls", [None])],
    "boolean": [("null", None), ("string", "yes"), ("number", 2)],
}
QUERY_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "Zo\u00eb \u202e\U0001f9b6",
    "%",
    "_",
    "' OR 1=1--",
]
QUERY_NUMBER = ["100000", "-1", "0", "99999999999999999999999", "1.5", "abc", ""]
QUERY_DATE = ["2024-02-30", "0000-01-01", "10000-01-01", "1979-5-17", "-1", "\x00"]
QUERY_UUID = ["not-a-uuid", "\x00", "00000000-0000-0000-0000-000000000000", "x" * 100]
QUERY_RAW = "%ff%fe%00"  # not UTF-8, percent-encoded as a client could send it


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


BAD_CURSORS = [
    "\x00",
    "A" * 600,
    "!!!",
    _b64('{"a": 1}'),
    _b64('["x"]'),
    _b64("[1, 2, 3]"),
    _b64('["x", "not-a-uuid"]'),
    _b64('["99999999999999999999999"]'),
    _b64('["-1"]'),
    _b64('["\\u0000", "00000000-0000-0000-0000-000000000000"]'),
    _b64('["2024-02-30"]'),
]
HEADERS = {
    "if-match": ['"1"', 'W/"1"', '"99999999999"', '"-1"', "abc", "x" * 65, '"1", "2"'],
    "": ["", "x" * 300, "not a key", "';--"],  # any other header a route declares
}

# -- valid and hostile bodies and query values, from the schemas ----------------------------


@dataclass
class Schemas:
    """JSON schemas of one OpenAPI document, $refs resolved, `X | None` unwrapped."""

    components: dict[str, Any]

    def main(self, schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            return self.main(self.components[schema["$ref"].rsplit("/", 1)[-1]])
        branches = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
        return self.main(branches[0]) if branches else schema

    def valid(self, name: str, schema: dict[str, Any], known: Known, *, form: bool) -> Any:
        main = self.main(schema)
        kind, fmt = main.get("type"), main.get("format")
        value = known(name, form, fmt)
        if value is not None:
            return value
        if "enum" in main:
            return main["enum"][0]
        if kind == "object":
            return self.valid_object(main, known, form=form)
        if kind == "array":
            return [self.valid(name, main["items"], known, form=form)]
        if kind == "integer":  # FastAPI writes an integer's bounds as floats (1.0)
            return int(main.get("minimum", 1))
        if kind == "number":
            return main.get("minimum", 1)
        if kind == "boolean":
            return True
        if fmt == "email":
            return f"walk-{uuid.uuid4().hex[:10]}@example.com"
        return {"date": "1979-05-17", "uuid": str(uuid.uuid4())}.get(fmt, "walk")

    def valid_object(self, schema: dict[str, Any], known: Known, *, form: bool) -> dict[str, Any]:
        main = self.main(schema)
        values = {
            name: self.valid(name, prop, known, form=form)
            for name, prop in main.get("properties", {}).items()
        }
        return {name: value for name, value in values.items() if value is not LEFT_OUT}

    def hostile(self, schema: dict[str, Any]) -> list[tuple[str, Any]]:
        main = self.main(schema)
        kind, fmt = main.get("type"), main.get("format")
        if "enum" in main:
            others = [(f"also {v}", v) for v in main["enum"][1:]]
            return [("null", None), ("wrong case", str(main["enum"][0]).upper()), *others]
        if kind in SHAPE:
            return SHAPE[kind]
        if kind in ("integer", "number"):
            return NUMBER
        return TEXT + {"date": DATE, "email": EMAIL}.get(fmt, [])

    def nested(self, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
        """The object schema inside a field (itself, or its array's items), and if an array."""
        main = self.main(schema)
        if main.get("type") == "array":
            items = self.main(main["items"])
            return (items, True) if items.get("type") == "object" else (None, True)
        return (main, False) if main.get("type") == "object" else (None, False)


@dataclass
class Body:
    """A body to send: its label, bytes, media type, and whether it was built valid."""

    label: str
    content: bytes
    media_type: str
    valid: bool = False


def _encode(value: dict[str, Any] | list[Any], media_type: str) -> bytes:
    if media_type == FORM:
        return urlencode({k: "" if v is None else v for k, v in value.items()}).encode()
    # ensure_ascii: a lone surrogate travels as the \ud800 escape a client could send
    return json.dumps(value, ensure_ascii=True).encode()


def valid_body(schemas: Schemas, media_type: str, schema: dict[str, Any], known: Known) -> Body:
    """An object, or a list of one valid item where the body is a list."""
    valid = schemas.valid("", schema, known, form=media_type == FORM)
    return Body("valid", _encode(valid, media_type), media_type, valid=True)


def body_variants(
    schemas: Schemas, media_type: str, schema: dict[str, Any], known: Known
) -> Iterator[Body]:
    """Each field, and each field of a nested object, made hostile one at a time. A schema
    with no required field (a partial update) gets each field alone, valid and hostile, so
    that every field reaches the service on its own."""
    form = media_type == FORM
    main = schemas.main(schema)
    if main.get("type") == "array":  # a list body: hostile as a whole, then in its item's fields
        items = schemas.valid("", main, known, form=form)
        for label, value in _field_variants(schemas, main, items, form=form):
            yield Body(label, _encode(value, media_type), media_type)
        return
    valid = schemas.valid_object(main, known, form=form)
    partial = not main.get("required") and not form  # the sign-in form needs its fields
    base = {} if partial else valid
    for name, prop in main.get("properties", {}).items():
        if partial and name in valid:
            yield Body(f"only {name}", _encode({name: valid[name]}, media_type), media_type, True)
        for label, value in _field_variants(schemas, prop, valid.get(name), form=form):
            yield Body(f"{name}: {label}", _encode(base | {name: value}, media_type), media_type)


def _utf8(value: Any) -> bool:
    """A string a form can carry: a lone surrogate has no UTF-8 form."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _field_variants(schemas: Schemas, prop: dict[str, Any], valid: Any, *, form: bool):
    if form:  # a form field is a string whatever we meant
        yield from ((label, v) for label, v in TEXT if v is None or _utf8(v))
        return
    yield from schemas.hostile(prop)
    inner, is_array = schemas.nested(prop)
    if inner is None:
        return
    item = valid[0] if is_array else valid
    for sub, sub_schema in inner.get("properties", {}).items():
        for label, value in schemas.hostile(sub_schema)[:3]:
            changed = item | {sub: value}
            yield f"{sub}: {label}", [changed] if is_array else changed


def query_variants(
    name: str, schema: dict[str, Any], schemas: Schemas, known: str | None
) -> Iterator[tuple[str, bool]]:
    """(value, valid) pairs for one query parameter; `known` is a value that finds records."""
    main = schemas.main(schema)
    kind, fmt = main.get("type"), main.get("format")
    if "enum" in main:
        yield from ((v, True) for v in main["enum"])
        yield from ((v, False) for v in (str(main["enum"][0]).upper(), "", "\x00"))
        return
    if kind == "integer":
        yield from ((str(main[k]), True) for k in ("minimum", "maximum") if k in main)
        yield from ((v, False) for v in QUERY_NUMBER)
        return
    if known is not None:
        yield known, True
    if name == "cursor":
        hostile = BAD_CURSORS
    else:
        hostile = {"date": QUERY_DATE, "uuid": QUERY_UUID}.get(fmt, []) + QUERY_TEXT
    yield from ((v, False) for v in hostile)
