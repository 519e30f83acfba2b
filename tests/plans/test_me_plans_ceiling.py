"""The benchmark's ceiling app for `GET /v1/me/plans` (bench/ceiling_me_plans.py) is only a
fair ceiling if it does what the route does: same answer, same audit row. One request to
each, on the same committed plan (the ceiling has its own connections)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench.ceiling_me_plans import Config, build_app
from services.plans.models import AuditEvent
from tests.factories import bearer, make_account, token_for
from tests.plans.factories import NEUROMA_RED_FLAGS, make_plan

AUDITED = (
    "actor_user_id",
    "actor_role",
    "action",
    "outcome",
    "patient_id",
    "entity_type",
    "client_ip",
)


@pytest.fixture
async def ceiling(settings: Any, apps: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    url = make_url(settings.database_url).set(drivername="postgresql")
    config = Config(
        database_url=url.render_as_string(hide_password=False),
        jwks=apps["patients"].state.signer.jwks(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        pool_size=2,
    )
    app = build_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ceiling.test") as client:
            yield client


async def test_ceiling_answers_and_audits_as_the_route_does(
    committed_db, committed_apis, apps, ceiling
):
    account = await make_account(committed_db, role="patient")
    advice = NEUROMA_RED_FLAGS | {"advice": "Call us if the pain reaches 7 out of 10."}
    await make_plan(committed_db, patient_id=account.patient_id, red_flag_criteria=advice)
    await make_plan(committed_db, patient_id=account.patient_id, status="completed")
    headers = bearer(token_for(apps, account))

    route = await committed_apis["plans"].get("/v1/me/plans", headers=headers)
    bare = await ceiling.get("/v1/me/plans", headers=headers)

    assert (route.status_code, bare.status_code) == (200, 200)
    assert len(route.json()["items"]) == 1
    assert bare.json() == route.json()
    assert bare.content == route.content
    statement = select(AuditEvent).where(col(AuditEvent.actor_user_id) == account.id)
    rows = (await committed_db.exec(statement.order_by(col(AuditEvent.id)))).all()
    assert len(rows) == 2
    by_route, by_ceiling = ({f: getattr(r, f) for f in AUDITED} | r.detail for r in rows)
    assert by_ceiling == by_route
