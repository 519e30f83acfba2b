"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for loopback load generation only.

httpx's connection pool costs more CPU per request the more connections it holds (encode/httpx
#3215): at 32 connections one shared AsyncClient can use a whole core for a few hundred
requests a second, and then it, not the service, sets the figure. This client keeps one plain
connection per worker and costs a small fraction of that. It speaks just what the benchmark
needs: GET and POST, JSON bodies, Content-Length or chunked answers. It talks to 127.0.0.1
and nothing else.
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

LOOPBACK = "127.0.0.1"
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class RawResponse:
    status_code: int
    content: bytes


class RawClient:
    """Same `get`/`post` shape as httpx.AsyncClient for the calls the scenarios make."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._idle: dict[int, list[Connection]] = {}
        self._timeout = timeout

    async def __aenter__(self) -> "RawClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for _, writer in connections:
                writer.close()
        self._idle.clear()

    async def get(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> RawResponse:
        return await self.request("GET", url, params=params, headers=headers)

    async def post(
        self, url: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> RawResponse:
        return await self.request("POST", url, json_body=json, headers=headers)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> RawResponse:
        parts = urlsplit(url)
        if parts.hostname != LOOPBACK or parts.port is None:
            raise ValueError(f"the raw client only talks to {LOOPBACK}:<port>, not {url}")
        target = (parts.path or "/") + (f"?{urlencode(params)}" if params else "")
        head = _head(method, target, parts.port, headers or {}, json_body)
        return await asyncio.wait_for(self._exchange(parts.port, head), self._timeout)

    async def _exchange(self, port: int, message: bytes) -> RawResponse:
        reader, writer = await self._connection(port)
        try:
            writer.write(message)
            response, keep = await _read_response(reader)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            writer.close()
            raise ConnectionError(f"bad or cut answer: {exc!r}") from exc
        except BaseException:
            writer.close()
            raise
        if keep:
            self._idle.setdefault(port, []).append((reader, writer))
        else:
            writer.close()
        return response

    async def _connection(self, port: int) -> Connection:
        idle = self._idle.get(port)
        if idle:
            return idle.pop()
        return await asyncio.open_connection(LOOPBACK, port)


def _head(method: str, target: str, port: int, headers: dict[str, str], body: Any) -> bytes:
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {target} HTTP/1.1", f"Host: {LOOPBACK}:{port}", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[RawResponse, bool]:
    """The answer, and whether the connection may be reused."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
    if fields.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(fields.get("content-length", "0")))
    return RawResponse(status, body), fields.get("connection", "").lower() != "close"


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    for _ in range(100_000):  # bounded: no answer here has anywhere near this many chunks
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers expected: the final empty line
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
    raise ValueError("too many chunks")
