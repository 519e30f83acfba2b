"""Where the three services are: each at its own URL, or all behind one reverse proxy.

`make run` serves patients, plans and scheduling on ports 8001, 8002 and 8003
(`ServiceURLs.local()`). docker-compose puts them behind one URL (`ServiceURLs.behind_proxy`):
there the API is served at the root, routed by path (deploy/Caddyfile), and each service's
own pages (health, its OpenAPI document, the plans and scheduling audit trails) under the
service's name: `/plans/healthz`, `/scheduling/v1/audit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Service = Literal["patients", "plans", "scheduling"]
SERVICES: tuple[Service, ...] = ("patients", "plans", "scheduling")

LOCAL_PORTS: dict[Service, int] = {"patients": 8001, "plans": 8002, "scheduling": 8003}


@dataclass(frozen=True, slots=True)
class ServiceURLs:
    """The base URL of each service's API, and of its own pages."""

    patients: str
    plans: str
    scheduling: str
    # Behind the proxy: the URL a service's own pages are under (None: its API URL).
    pages: tuple[str, str, str] | None = None

    @classmethod
    def local(cls, host: str = "127.0.0.1") -> ServiceURLs:
        """The three services of `make run`."""
        return cls(**{name: f"http://{host}:{port}" for name, port in LOCAL_PORTS.items()})

    @classmethod
    def behind_proxy(cls, url: str) -> ServiceURLs:
        """All three behind one reverse proxy at `url` (docker-compose)."""
        base = url.rstrip("/")
        pages = (f"{base}/patients", f"{base}/plans", f"{base}/scheduling")
        return cls(patients=base, plans=base, scheduling=base, pages=pages)

    def url(self, service: Service, path: str, *, own_page: bool = False) -> str:
        """The URL of `path` on `service`; `own_page`: a page each service serves for itself
        (health, the plans and scheduling audit trails), not part of the routed API."""
        if own_page and self.pages is not None:
            return self.pages[SERVICES.index(service)] + path
        return getattr(self, service).rstrip("/") + path


def service_urls(url: str | ServiceURLs | None) -> ServiceURLs:
    """A client's setting as URLs: one string is a proxy's URL, None the local services."""
    if url is None:
        return ServiceURLs.local()
    if isinstance(url, str):
        return ServiceURLs.behind_proxy(url)
    return url
