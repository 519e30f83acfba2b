"""The patients service app: `uvicorn services.patients.main:app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from services.common.app import create_app
from services.common.audit import audit_router
from services.common.auth import KeySet, StaticKeySet
from services.common.settings import get_settings
from services.patients.audit import trail
from services.patients.identity.routes import auth_router, users_router
from services.patients.identity.service_identity import own_account_check
from services.patients.identity.service_routes import service_router
from services.patients.identity.tokens import TokenSigner
from services.patients.record.routes import patients_router
from services.patients.record.service_routes import patient_status_router
from services.patients.settings import PatientsSettings


@asynccontextmanager
async def _load_signing_key(app: FastAPI) -> AsyncIterator[None]:
    settings: PatientsSettings = app.state.settings
    pem = settings.signing_key_pem()
    if pem is None:
        raise RuntimeError(
            "no token signing key: set CLINIC_JWT_PRIVATE_KEY or CLINIC_JWT_PRIVATE_KEY_FILE"
        )
    app.state.signer = TokenSigner(
        pem,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )
    yield


def _own_keys(app: FastAPI) -> KeySet:
    """This service verifies its own tokens with its own public key: no HTTP round trip."""
    return StaticKeySet(app.state.signer.jwks())


def build_app(
    settings: PatientsSettings | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    return create_app(
        service="patients",
        title="Clinic patients service",
        description="Patient records, accounts and roles; signs the access tokens.",
        routers=[
            auth_router,
            users_router,
            patients_router,
            audit_router(trail),
            service_router,
            patient_status_router,
        ],
        settings=settings or get_settings(PatientsSettings),
        key_set=_own_keys,
        account_check=own_account_check,
        on_startup=_load_signing_key,
        http_transport=http_transport,
    )


app = build_app()
