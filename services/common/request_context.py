"""Who is asking: which peers are believed about the client (the proxy, our own services),
the client's address behind them, and the request id of the request being served, for logs
and for calls to other services."""

import re
import uuid
from collections.abc import Iterable
from contextvars import ContextVar, Token
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str | None:
    return _request_id.get()


def adopt_request_id(incoming: str | None) -> tuple[str, Token[str | None]]:
    """Keep a caller's id when it is sane (so a trace spans services); otherwise make one.
    Returns the id and the token that restores the previous one when the request ends."""
    request_id = incoming if incoming and _ACCEPTABLE.match(incoming) else uuid.uuid4().hex
    return request_id, _request_id.set(request_id)


def release_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


Address = IPv4Address | IPv6Address


class TrustedPeers:
    """The peers whose forwarded headers and request ids we take: the proxy in front of us
    and our own services. Anyone else could write whatever they like in them."""

    def __init__(self, networks: Iterable[IPv4Network | IPv6Network]) -> None:
        self._networks = tuple(networks)

    def trust(self, host: str | None) -> bool:
        address = _address(host)
        return address is not None and self._ours(address)

    def client_behind(self, forwarded_for: str) -> str | None:
        """The right-most X-Forwarded-For address that is not one of ours. Each proxy appends
        the address it saw, so anything left of that the client may have written itself.
        None when that entry is unreadable: better the peer's address than a made-up one."""
        hops = [hop.strip() for hop in forwarded_for.split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None
            if not self._ours(address):
                return str(address)
        return str(_address(hops[0]))  # every hop is ours: the farthest one is the client

    def _ours(self, address: Address) -> bool:
        return any(address in network for network in self._networks)


def _address(text: str | None) -> Address | None:
    try:
        address = ip_address(text or "")
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 from a dual-stack socket
    return mapped or address
