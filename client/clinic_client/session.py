"""A signed-in session: the access token, the refresh token, and when each runs out.

The patients service signs access tokens for minutes (15 by default) and gives a refresh
token with each, usable once (it is rotated: the answer holds the next one) for a while
unused (30 minutes by default). The client renews the access token a little before it runs
out; when the refresh token has run out too, the session has expired and, unless the client
was asked to keep the password, only a new sign-in helps (`SessionExpired`).

Tokens are `SecretStr`: a session's repr, str and logs show `**********`. `model_dump_json()`
writes them out in full only with `context={"reveal": True}` (a profile saved with 0600
permissions, by the command line).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, field_serializer

# Renew this long before the access token runs out, or at a quarter of its life if shorter.
RENEW_AHEAD = timedelta(seconds=60)


class Session(BaseModel):
    """What a sign-in gave: keep it (with `reveal`) to carry a session across processes."""

    model_config = ConfigDict(frozen=True)

    username: str | None = None
    access_token: SecretStr
    access_expires_at: datetime
    renew_at: datetime
    refresh_token: SecretStr | None = None
    refresh_expires_at: datetime | None = None

    @classmethod
    def from_answer(cls, answer: dict[str, Any], *, now: datetime, username: str | None) -> Session:
        """From the token endpoint's answer (`expires_in`, `refresh_expires_in` in seconds)."""
        lifetime = timedelta(seconds=int(answer["expires_in"]))
        refresh = answer.get("refresh_token")
        refresh_in = answer.get("refresh_expires_in")
        return cls(
            username=username,
            access_token=SecretStr(answer["access_token"]),
            access_expires_at=now + lifetime,
            renew_at=now + lifetime - min(RENEW_AHEAD, lifetime / 4),
            refresh_token=SecretStr(refresh) if refresh else None,
            refresh_expires_at=now + timedelta(seconds=int(refresh_in)) if refresh_in else None,
        )

    def due(self, now: datetime) -> bool:
        """Time to renew the access token."""
        return now >= self.renew_at

    def valid(self, now: datetime) -> bool:
        """The access token still works (as far as the clock can tell)."""
        return now < self.access_expires_at

    def renewable(self, now: datetime) -> bool:
        """The refresh token may still be traded for new tokens."""
        if self.refresh_token is None:
            return False
        return self.refresh_expires_at is None or now < self.refresh_expires_at

    @field_serializer("access_token", "refresh_token", when_used="json")
    def _reveal_on_request(self, token: SecretStr | None, info: Any) -> str | None:
        if token is None:
            return None
        revealed = bool(info.context and info.context.get("reveal"))
        return token.get_secret_value() if revealed else str(token)
