"""Which peer is believed about the client: X-Forwarded-For, X-Forwarded-Prefix,
X-Forwarded-Proto and X-Request-ID count only from a peer in CLINIC_TRUSTED_PROXIES (by
default loopback). The address the middleware settles on is request.client.host, which the
audit trail and the sign-in throttle read."""

import re

import httpx
import pytest
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import JSONResponse

from services.common.middleware import RequestContextMiddleware
from services.common.settings import ServiceSettings
from services.patients.models import AuditEvent
from tests.factories import headers_for, make_patient

OUTSIDER = ("203.0.113.7", 51000)  # TEST-NET-3: a client on the internet, not a proxy


def _client(app, peer=None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=peer or ("127.0.0.1", 123))
    return httpx.AsyncClient(transport=transport, base_url="http://patients.test")


async def _read_record_from(apps, db, peer, headers) -> AuditEvent:
    """Read a record through a connection from peer; the audit row it wrote."""
    patient = await make_patient(db)
    staff = await headers_for(db, apps, "therapist")
    async with _client(apps["patients"], peer) as api:
        response = await api.get(f"/v1/patients/{patient.id}", headers=staff | headers)
    assert response.status_code == 200, response.text
    statement = select(AuditEvent).where(AuditEvent.patient_id == patient.id)
    (row,) = (await db.exec(statement)).all()
    assert row.request_id == response.headers["x-request-id"]
    return row


async def test_an_untrusted_peer_cannot_choose_its_address(apps, db):
    row = await _read_record_from(apps, db, OUTSIDER, {"X-Forwarded-For": "198.51.100.9"})
    assert row.client_ip == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("198.51.100.9", "198.51.100.9"),
        # The right-most address our proxy did not add: anything left of it the client wrote.
        ("10.9.9.9, 198.51.100.9", "198.51.100.9"),
        ("198.51.100.9, 127.0.0.1", "198.51.100.9"),
        ("2001:db8::5", "2001:db8::5"),
    ],
)
async def test_a_trusted_proxy_names_the_client(apps, db, forwarded_for, client):
    row = await _read_record_from(apps, db, None, {"X-Forwarded-For": forwarded_for})
    assert row.client_ip == client


async def test_an_untrusted_peer_cannot_choose_its_request_id(apps, db):
    row = await _read_record_from(apps, db, OUTSIDER, {"X-Request-ID": "forged-id-1"})
    assert row.request_id != "forged-id-1"
    assert re.fullmatch(r"[0-9a-f]{32}", row.request_id)


async def test_a_trusted_peer_passes_its_request_id_on(apps, db):
    row = await _read_record_from(apps, db, None, {"X-Request-ID": "proxy-trace-1"})
    assert row.request_id == "proxy-trace-1"


async def test_an_untrusted_peer_cannot_move_the_docs(apps):
    headers = {"X-Forwarded-Prefix": "/plans"}
    async with _client(apps["plans"], OUTSIDER) as outsider, _client(apps["plans"]) as proxy:
        assert "/plans/openapi.json" not in (await outsider.get("/docs", headers=headers)).text
        assert "/plans/openapi.json" in (await proxy.get("/docs", headers=headers)).text


# -- the middleware alone, with a configured proxy subnet -----------------------------------


async def _echo(scope, receive, send) -> None:
    request = Request(scope, receive)
    seen = {
        "client": request.client.host,
        "root_path": scope["root_path"],
        "scheme": scope["scheme"],
    }
    await JSONResponse(seen)(scope, receive, send)


def _behind(trusted: list[str], peer: tuple[str, int]) -> httpx.AsyncClient:
    settings = ServiceSettings(trusted_proxies=trusted)
    app = RequestContextMiddleware(
        _echo, max_body_bytes=1024, trusted_proxies=settings.trusted_proxies
    )
    return _client(app, peer)


FORWARDED = {
    "X-Forwarded-For": "198.51.100.9, 172.28.0.4",
    "X-Forwarded-Prefix": "/plans",
    "X-Forwarded-Proto": "https",
    "X-Request-ID": "via-proxy",
}


async def test_a_configured_subnet_is_trusted_and_loopback_then_is_not():
    async with _behind(["172.28.0.0/24"], ("172.28.0.9", 40000)) as proxied:
        answer = await proxied.get("/", headers=FORWARDED)
    assert answer.json() == {"client": "198.51.100.9", "root_path": "/plans", "scheme": "https"}
    assert answer.headers["x-request-id"] == "via-proxy"
    async with _behind(["172.28.0.0/24"], ("127.0.0.1", 40000)) as local:
        answer = await local.get("/", headers=FORWARDED)
    assert answer.json() == {"client": "127.0.0.1", "root_path": "", "scheme": "http"}
    assert answer.headers["x-request-id"] != "via-proxy"


@pytest.mark.parametrize("garbage", ["unknown", "", "198.51.100.9:443, nonsense"])
async def test_an_unreadable_forwarded_for_keeps_the_peer(garbage):
    async with _behind(["127.0.0.1"], ("127.0.0.1", 40000)) as api:
        answer = await api.get("/", headers={"X-Forwarded-For": garbage})
    assert answer.json()["client"] == "127.0.0.1"


def test_trusted_proxies_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLINIC_TRUSTED_PROXIES", "172.28.0.0/24, 10.0.0.5")
    assert [str(n) for n in ServiceSettings().trusted_proxies] == ["172.28.0.0/24", "10.0.0.5/32"]
    monkeypatch.setenv("CLINIC_TRUSTED_PROXIES", "")
    assert ServiceSettings().trusted_proxies == []
    monkeypatch.delenv("CLINIC_TRUSTED_PROXIES")
    assert [str(n) for n in ServiceSettings().trusted_proxies] == ["127.0.0.1/32", "::1/128"]
