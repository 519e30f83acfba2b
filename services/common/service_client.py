"""Calls from one service to another over REST.

One `httpx.AsyncClient` per process (built in the lifespan, with timeouts); each call passes
on the request id and, where given, the caller's token, or else this service's own token
(identity.py) when it has one. Failures become problems: the other
service unreachable or failing -> 503 with Retry-After; an answer we cannot use -> 502.
Redirects are never followed and answers are size-capped.
"""

import json
from typing import Any

import httpx

from services.common.errors import BadGateway, DependencyUnavailable
from services.common.identity import ServiceTokenSource
from services.common.request_context import REQUEST_ID_HEADER, current_request_id

MAX_ANSWER_BYTES = 1024 * 1024


class ServiceClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        name: str,
        tokens: ServiceTokenSource | None = None,
    ) -> None:
        """With `tokens`, a call that forwards no user's token is made as this service."""
        self._http, self._base, self.name = http, base_url.rstrip("/"), name
        self._tokens = tokens

    async def get_json(
        self, path: str, *, token: str | None = None, params: dict[str, Any] | None = None
    ) -> Any | None:
        """The JSON body of a GET, or None when the other service answers 404."""
        response = await self._send("GET", path, token=token, params=params)
        if response.status_code == 404:
            return None
        return self._json(response)

    async def _send(
        self, method: str, path: str, *, token: str | None, **kw: Any
    ) -> httpx.Response:
        if token is not None or self._tokens is None:
            return await self._send_once(method, path, token=token, **kw)
        response = await self._send_once(method, path, token=await self._tokens.token(), **kw)
        if response.status_code == 401:  # our cached token outlived the key that signed it
            self._tokens.forget()
            response = await self._send_once(method, path, token=await self._tokens.token(), **kw)
        return response

    async def _send_once(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = self._headers(kw.pop("token"))
        request = self._http.build_request(method, self._base + path, headers=headers, **kw)
        try:
            response = await self._http.send(request, stream=True, follow_redirects=False)
            try:
                body = await self._read_capped(response)
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise DependencyUnavailable(f"The {self.name} service cannot be reached.") from exc
        if response.status_code >= 500:
            raise DependencyUnavailable(f"The {self.name} service is failing.")
        response._content = body
        return response

    async def _read_capped(self, response: httpx.Response) -> bytes:
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise BadGateway(f"The {self.name} service sent an oversized answer.")
            chunks.append(chunk)
        return b"".join(chunks)

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code != 200:
            raise BadGateway(f"The {self.name} service answered {response.status_code}.")
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise BadGateway(f"The {self.name} service sent an answer that is not JSON.") from exc

    @staticmethod
    def _headers(token: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers
