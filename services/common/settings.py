"""Settings, read once from the environment (`CLINIC_*` plus `DATABASE_URL`)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

# Values that are fine on a laptop and never in production.
DEFAULT_DATABASE_URL = "postgresql+asyncpg://clinic@127.0.0.1:54329/clinic"
DEV_ISSUER = "http://127.0.0.1:8001"


# -- service identity and the account check (one block, mixed into Settings) ------------------

SERVICE_CLIENTS = ("plans", "scheduling")  # the services that sign in to the patients service
SECRETS_NEEDED = {"patients": SERVICE_CLIENTS, "plans": ("plans",), "scheduling": ("scheduling",)}
MIN_SECRET_LENGTH = 32


class ServiceIdentitySettings(BaseSettings):
    """Client secrets for the client-credentials grant, and how fresh the account check is.

    The patients service holds every client's secret (it checks them); plans and scheduling
    each need only their own (they present it). `make run` generates both in `.data/`."""

    service_name: str | None = None  # CLINIC_SERVICE_NAME: which service this process is
    plans_client_secret: SecretStr | None = None
    scheduling_client_secret: SecretStr | None = None
    service_token_seconds: int = Field(300, ge=30, le=900)
    # How long a service trusts what it learnt about an account (active or not), in seconds.
    account_check_seconds: float = Field(5.0, ge=0, le=60)
    check_accounts: bool = True  # off only to measure what the check costs (bench/)

    def client_secret(self, service: str) -> str | None:
        if service not in SERVICE_CLIENTS:
            return None
        secret: SecretStr | None = getattr(self, f"{service}_client_secret")
        return secret.get_secret_value() if secret else None

    @model_validator(mode="after")
    def _refuse_weak_service_identity_in_production(self) -> "ServiceIdentitySettings":
        if self.env != "production":  # type: ignore[attr-defined]
            return self
        problems = [
            f"CLINIC_{name.upper()}_CLIENT_SECRET must be set, at least {MIN_SECRET_LENGTH} "
            "characters (make a random one)"
            for name in SECRETS_NEEDED.get(self.service_name or "", ())
            if len(self.client_secret(name) or "") < MIN_SECRET_LENGTH
        ]
        given = [s for s in map(self.client_secret, SERVICE_CLIENTS) if s]
        if len(given) != len(set(given)):
            problems.append("each service's client secret must differ from the others'")
        if not self.check_accounts:
            problems.append("CLINIC_CHECK_ACCOUNTS must stay on in production")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self


class Settings(ServiceIdentitySettings, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLINIC_", extra="ignore", populate_by_name=True)

    env: Environment = "development"
    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("DATABASE_URL", "CLINIC_DATABASE_URL")
    )
    db_pool_size: int = Field(20, ge=1, le=200)
    db_max_overflow: int = Field(10, ge=0, le=200)

    patients_url: str = "http://127.0.0.1:8001"
    plans_url: str = "http://127.0.0.1:8002"
    scheduling_url: str = "http://127.0.0.1:8003"
    http_connect_timeout: float = 2.0
    http_read_timeout: float = 2.0

    jwt_issuer: str = DEV_ISSUER
    jwt_audience: str = "clinic-api"
    jwt_private_key: str | None = None
    jwt_private_key_file: Path | None = None
    access_token_minutes: int = Field(15, ge=1, le=60)
    refresh_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    refresh_absolute_hours: int = Field(12, ge=1, le=24 * 30)
    jwks_cache_seconds: int = Field(300, ge=10)

    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    log_level: str = "INFO"
    demo_password: str | None = None
    cors_origins: list[str] = []

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def async_database_url(self) -> str:
        """The URL with the asyncpg driver, whatever scheme the operator wrote."""
        return to_asyncpg_url(self.database_url)

    def signing_key_pem(self) -> str | None:
        if self.jwt_private_key:
            return self.jwt_private_key
        if self.jwt_private_key_file and self.jwt_private_key_file.exists():
            return self.jwt_private_key_file.read_text()
        return None

    @model_validator(mode="after")
    def _refuse_development_defaults_in_production(self) -> "Settings":
        if not self.is_production:
            return self
        problems = []
        if self.database_url == DEFAULT_DATABASE_URL:
            problems.append("DATABASE_URL must point at the production database")
        if self.jwt_issuer == DEV_ISSUER:
            problems.append("CLINIC_JWT_ISSUER must be the public URL of the patients service")
        if self.demo_password:
            problems.append("CLINIC_DEMO_PASSWORD must not be set in production")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self


def to_asyncpg_url(url: str) -> str:
    for prefix in (
        "postgresql+asyncpg://",
        "postgresql+psycopg://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


@lru_cache
def get_settings() -> Settings:
    return Settings()
