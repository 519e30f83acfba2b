"""Signing access tokens (EdDSA over Ed25519) and publishing the public key as a JWKS."""

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.auth import ALGORITHM, SERVICE_ROLE


def generate_private_key_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class TokenSigner:
    def __init__(self, private_key_pem: str, *, issuer: str, audience: str, lifetime: timedelta):
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key (PEM, PKCS#8)")
        self._key, self.issuer, self.audience, self.lifetime = key, issuer, audience, lifetime
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._public_jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}
        self.kid = _thumbprint(self._public_jwk)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**self._public_jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}]}

    def access_token(self, *, user_id: uuid.UUID, role: str, patient_id: uuid.UUID | None) -> str:
        if role == SERVICE_ROLE:
            raise ValueError("a user's token never carries the service role")
        claims = self._claims(str(user_id), role, self.lifetime)
        if patient_id is not None:
            claims["pid"] = str(patient_id)
        return self._sign(claims)

    def service_token(self, *, service: str, lifetime: timedelta) -> str:
        """A token for one of the platform's services (client-credentials grant): the role
        `service`, and the service's name as subject and client id (RFC 9068)."""
        return self._sign(self._claims(service, SERVICE_ROLE, lifetime) | {"client_id": service})

    def _claims(self, subject: str, role: str, lifetime: timedelta) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "role": role,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        }

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint: a key id that changes exactly when the key does."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x")}, separators=(",", ":"))
    return _b64(hashlib.sha256(canonical.encode()).digest())
