"""The account check: is the account behind a user's token still active?

Access tokens are verified offline and live 15 minutes, so without a check a disabled
account, or the login of an archived patient, would keep working until its token expires.
The caller dependency (`auth.current_caller`) asks `app.state.account_check` on every request
with a user token. Each service answers from a short in-process cache:

- the patients service reads its own table (`services/patients/identity/service_identity.py`);
- plans and scheduling ask the patients service's service-only route
  `GET /v1/accounts/{id}/status` with their service token (`RemoteAccountCheck`).

A cached answer is trusted for `CLINIC_ACCOUNT_CHECK_SECONDS` (5 s by default), which is the
whole window: a request that starts more than that long after a disable committed is refused
(401) in every service. If the patients service cannot answer, the request is refused (503):
the check fails closed.
"""

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from fastapi import FastAPI
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.auth import Caller
from services.common.errors import Unauthorized
from services.common.service_client import CallPolicy, ServiceClient

# What asking the patients service can answer, besides 401 for an inactive account: 502 when
# its answer cannot be read, 503 when it is down or too slow (documented by openapi.py).
REMOTE_CHECK_ANSWERS = (502, 503)
INACTIVE = "This account has been disabled, or its patient archived; sign in again."
MAX_CACHED_ACCOUNTS = 10_000


class AccountCheck(Protocol):
    async def ensure_active(self, caller: Caller, session: AsyncSession) -> None:
        """Return if the caller's account may act; raise Unauthorized otherwise."""
        ...


class AccountStatusCache:
    """Whether each account was active, for `ttl` seconds after it was learnt; the least
    recently used go first when full. `ttl` 0 caches nothing."""

    def __init__(self, ttl: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._entries: OrderedDict[uuid.UUID, tuple[bool, float]] = OrderedDict()

    def get(self, user_id: uuid.UUID) -> bool | None:
        entry = self._entries.get(user_id)
        if entry is None or self.clock() >= entry[1]:
            return None
        self._entries.move_to_end(user_id)
        return entry[0]

    def put(self, user_id: uuid.UUID, active: bool) -> None:
        if self.ttl <= 0:
            return
        self._entries[user_id] = (active, self.clock() + self.ttl)
        self._entries.move_to_end(user_id)
        if len(self._entries) > MAX_CACHED_ACCOUNTS:
            self._entries.popitem(last=False)

    def forget(self, user_id: uuid.UUID) -> None:
        self._entries.pop(user_id, None)


class NoAccountCheck:
    """Trusts every valid token until it expires. Only to measure the check (refused in
    production by the settings)."""

    async def ensure_active(self, caller: Caller, session: AsyncSession) -> None:
        return None


class _AccountStatus(BaseModel):
    active: bool


class RemoteAccountCheck:
    """Plans' and scheduling's check: ask the patients service, as this service, and cache
    the answer; concurrent requests of one account share one call."""

    def __init__(self, patients: ServiceClient, statuses: AccountStatusCache) -> None:
        self._patients, self.statuses = patients, statuses
        self._asking: dict[uuid.UUID, asyncio.Future[bool]] = {}

    async def ensure_active(self, caller: Caller, session: AsyncSession) -> None:
        active = self.statuses.get(caller.user_id)
        if active is None:
            active = await self._ask(caller.user_id)
        if not active:
            raise Unauthorized(INACTIVE)

    async def _ask(self, user_id: uuid.UUID) -> bool:
        asking = self._asking.get(user_id)
        if asking is None:
            asking = asyncio.ensure_future(self._fetch(user_id))
            self._asking[user_id] = asking
            asking.add_done_callback(lambda _: self._asking.pop(user_id, None))
        return await asyncio.shield(asking)  # one caller giving up does not cancel the others

    async def _fetch(self, user_id: uuid.UUID) -> bool:
        # None: 404, no such account (any more). An answer that does not fit is a 502.
        status = await self._patients.get(f"/v1/accounts/{user_id}/status", _AccountStatus)
        active = status is not None and status.active
        self.statuses.put(user_id, active)
        return active


def remote_account_check(app: FastAPI) -> AccountCheck:
    """The check of a service other than patients, built in the lifespan."""
    settings = app.state.settings
    patients = ServiceClient(
        app.state.http,
        settings.patients_url,
        name="patients",
        policy=CallPolicy.from_settings(settings),
        tokens=app.state.service_tokens,
    )
    return RemoteAccountCheck(patients, AccountStatusCache(settings.account_check_seconds))
