"""Routes declared as typed methods: the signature says the request, the return type the answer.

An area of the client (`client.patients`, `client.appointments`, ...) is a class of methods
without bodies, each marked with the route it calls:

    class AsyncPatients(AsyncArea):
        @PATIENTS.get("/v1/patients/{patient_id}")
        async def read(self, patient_id: UUID) -> PatientRead:
            \"\"\"One patient's record.\"\"\"

The decorator reads the signature once, when the class is built:

- a parameter named in the path fills it;
- a parameter whose type is a pydantic model (or a list of them, or one or None) is the
  JSON body, sent with only the fields that were set (a PATCH changes only those);
- `if_match` is sent as If-Match (a record's `version`, or an ETag as read);
- `idempotency_key` marks a POST the service de-duplicates: the client sends a new uuid4 per
  call when none is given, the same one on every retry of that call;
- `accept` is sent as Accept (a route answering HTML or PDF);
- every other parameter is a query parameter (a trailing `_` dropped: `from_` is `from`);
- a return type `Iterator[X]` / `AsyncIterator[X]` walks every page of a cursor-paginated
  list (`page_size` is the route's `limit`), yielding each item; when X is itself a page
  (a model with `items` and `next_cursor`, such as a day sheet's page, which says whether
  it names the patients), it yields each page whole. Any other return type is read from
  the JSON answer (None: no body; bytes: the raw body).

Every declared route is in OPERATIONS, which tests/client/test_contract.py checks against the
services' OpenAPI documents.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from clinic_client.errors import UnexpectedAnswer
from clinic_client.layout import Service

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

HEADER_PARAMETERS = {
    "if_match": "If-Match",
    "idempotency_key": "Idempotency-Key",
    "accept": "Accept",
}
PAGE_SIZE = "page_size"
_PATH_NAME = re.compile(r"\{(\w+)\}")


class Page(BaseModel, Generic[T]):
    """One page of a cursor-paginated list."""

    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    """One route as the client calls it, read from a method's signature."""

    service: Service
    method: str
    path: str
    name: str
    own_page: bool = False
    path_params: tuple[str, ...] = ()
    query: tuple[tuple[str, str], ...] = ()  # (parameter, query name)
    headers: tuple[str, ...] = ()  # parameters sent as headers
    body: str | None = None
    body_type: Any = None
    answer: Any = None
    item: Any = None  # what a paginated list yields: an item, or a whole page
    required: frozenset[str] = frozenset()  # parameters without a default
    function: Any = field(default=None, compare=False, repr=False)  # the method as declared

    @property
    def paginated(self) -> bool:
        return self.item is not None

    @property
    def whole_pages(self) -> bool:
        """A list that yields its pages whole, each with what it says of itself."""
        return _is_page(self.item)

    def call(self, arguments: dict[str, Any]) -> Call:
        """The request for one call with these arguments."""
        path = _PATH_NAME.sub(lambda m: quote(_text(arguments[m.group(1)]), safe=""), self.path)
        params = [
            (name, _text(item))
            for parameter, name in self.query
            for item in _items(arguments.get(parameter))
        ]
        return Call(self, path, params, self._body(arguments), self._headers(arguments))

    def _body(self, arguments: dict[str, Any]) -> Any:
        if self.body is None or arguments.get(self.body) is None:
            return None
        value = arguments[self.body]
        if isinstance(value, list):
            return [_dumped(item) for item in value]
        return _dumped(value)

    def _headers(self, arguments: dict[str, Any]) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if "if_match" in self.headers and arguments.get("if_match") is not None:
            headers["If-Match"] = entity_tag(arguments["if_match"])
        if "idempotency_key" in self.headers:
            headers["Idempotency-Key"] = arguments.get("idempotency_key") or str(uuid.uuid4())
        if "accept" in self.headers and arguments.get("accept"):
            headers["Accept"] = arguments["accept"]
        return headers

    def read(self, response: httpx.Response) -> Any:
        """The answer as the method's return type says."""
        if self.answer is None:
            return None
        if self.answer is bytes:
            return response.content
        return _validated(_adapter(self.answer), response)

    def read_page(self, response: httpx.Response) -> Any:
        """One page: the declared page model, or a `Page` of the declared items."""
        page = self.item if self.whole_pages else Page[self.item]  # type: ignore[name-defined]
        return _validated(_adapter(page), response)


@dataclass(frozen=True, slots=True)
class Call:
    """One logical call: the same request (Idempotency-Key included) on every try."""

    operation: Operation
    path: str
    params: list[tuple[str, str]]
    json: Any
    headers: dict[str, str] = field(default_factory=dict)

    def at(self, cursor: str | None) -> Call:
        """The same list call, for the page after `cursor`."""
        if cursor is None:
            return self
        return replace(self, params=[*self.params, ("cursor", cursor)])


OPERATIONS: list[Operation] = []


class Routes:
    """The route decorators of one service: `@PLANS.post("/v1/plans")`."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def get(self, path: str, *, own_page: bool = False) -> Callable[[F], F]:
        return self._route("GET", path, own_page)

    def post(self, path: str) -> Callable[[F], F]:
        return self._route("POST", path, False)

    def put(self, path: str) -> Callable[[F], F]:
        return self._route("PUT", path, False)

    def patch(self, path: str) -> Callable[[F], F]:
        return self._route("PATCH", path, False)

    def delete(self, path: str) -> Callable[[F], F]:
        return self._route("DELETE", path, False)

    def _route(self, method: str, path: str, own_page: bool) -> Callable[[F], F]:
        def declare(method_of_area: F) -> F:
            operation = _operation(self.service, method, path, own_page, method_of_area)
            OPERATIONS.append(operation)
            return _bound(operation, method_of_area)

        return declare


PATIENTS, PLANS, SCHEDULING = Routes("patients"), Routes("plans"), Routes("scheduling")


def _operation(
    service: Service, method: str, path: str, own_page: bool, function: Callable[..., Any]
) -> Operation:
    hints = typing.get_type_hints(function)
    parameters = list(inspect.signature(function).parameters.values())[1:]  # self
    in_path = tuple(_PATH_NAME.findall(path))
    names = [p.name for p in parameters]
    missing = set(in_path) - set(names)
    assert not missing, f"{function.__qualname__} lacks path parameters {missing}"
    body = [n for n in names if _is_body(hints.get(n))]
    assert len(body) <= 1, f"{function.__qualname__} has more than one body: {body}"
    answer = hints.get("return")
    item = _page_item(answer)
    taken = {*in_path, *body, *HEADER_PARAMETERS}
    return Operation(
        service=service,
        method=method,
        path=path,
        name=function.__qualname__,
        own_page=own_page,
        path_params=in_path,
        query=tuple((n, _query_name(n, item is not None)) for n in names if n not in taken),
        headers=tuple(n for n in names if n in HEADER_PARAMETERS),
        body=body[0] if body else None,
        body_type=hints.get(body[0]) if body else None,
        answer=None if answer is NoneType else answer,
        item=item,
        required=frozenset(p.name for p in parameters if p.default is inspect.Parameter.empty),
        function=function,
    )


def _bound(operation: Operation, function: F) -> F:
    """The method that sends the call (to the area's engine, blocking or async)."""
    signature = inspect.signature(function)

    def arguments(*args: Any, **kwargs: Any) -> dict[str, Any]:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return bound.arguments

    if inspect.iscoroutinefunction(function):

        async def send_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await self._engine.call(operation.call(arguments(self, *args, **kwargs)))

        sender: Callable[..., Any] = send_async
    elif operation.paginated:

        def walk(self: Any, *args: Any, **kwargs: Any) -> Any:
            return self._engine.pages(operation.call(arguments(self, *args, **kwargs)))

        sender = walk
    else:

        def send(self: Any, *args: Any, **kwargs: Any) -> Any:
            return self._engine.call(operation.call(arguments(self, *args, **kwargs)))

        sender = send
    wrapped = functools.wraps(function)(sender)
    wrapped.operation = operation  # type: ignore[attr-defined]
    return typing.cast(F, wrapped)


def _is_body(hint: Any) -> bool:
    if hint is None:
        return False
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_is_body(arg) for arg in typing.get_args(hint) if arg is not NoneType)
    if typing.get_origin(hint) is list:
        return _is_body(typing.get_args(hint)[0])
    return isinstance(hint, type) and issubclass(hint, BaseModel)


def _page_item(answer: Any) -> Any:
    if typing.get_origin(answer) in (Iterator, AsyncIterator):
        return typing.get_args(answer)[0]
    return None


def _is_page(item: Any) -> bool:
    fields = item.model_fields if isinstance(item, type) and issubclass(item, BaseModel) else {}
    return {"items", "next_cursor"} <= set(fields)


def _query_name(parameter: str, paginated: bool) -> str:
    if paginated and parameter == PAGE_SIZE:
        return "limit"
    return parameter.rstrip("_")


def entity_tag(version: int | str) -> str:
    """If-Match from a record's `version` (3 -> `"3"`), or an ETag passed on as read."""
    text = str(version).strip()
    if text == "*" or text.startswith(('"', "W/")):
        return text
    return f'"{text}"'


def _dumped(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


@functools.cache
def _adapter(answer: Any) -> TypeAdapter[Any]:
    return TypeAdapter(answer)


def _validated(adapter: TypeAdapter[T], response: httpx.Response) -> T:
    try:
        return adapter.validate_json(response.content)
    except ValidationError as exc:
        where = f"{response.request.method} {response.request.url.path}"
        raise UnexpectedAnswer(
            f"The answer to {where} is not what the API documents: {exc}",
            status=response.status_code,
        ) from exc
