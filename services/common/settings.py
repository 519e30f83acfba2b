"""Settings, read once from the environment (`CLINIC_*` plus `DATABASE_URL`).

Split by what reads them, so each service declares only what it uses: `DatabaseSettings`,
`HttpSettings` (calls to other services), `TokenSettings` (verifying tokens) and
`ServiceIdentitySettings` (service-token life, the account check) make up `ServiceSettings`.
Plans and scheduling each add their own client secret (`ClientSettings`, subclassed in their
package); the patients service adds what only it needs (the signing key, token lifetimes, the
demo password, every client's secret) in its own subclass.
"""

from functools import lru_cache
from ipaddress import ip_network
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AliasChoices,
    Field,
    IPvAnyNetwork,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "production"]

# Values that are fine on a laptop and never in production.
DEFAULT_DATABASE_URL = "postgresql+asyncpg://clinic@127.0.0.1:54329/clinic"
DEV_ISSUER = "http://127.0.0.1:8001"


class FromEnvironment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLINIC_", extra="ignore", populate_by_name=True)


class DatabaseSettings(FromEnvironment):
    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("DATABASE_URL", "CLINIC_DATABASE_URL")
    )
    db_pool_size: int = Field(20, ge=1, le=200)
    db_max_overflow: int = Field(10, ge=0, le=200)
    # Seconds. A request waits at most this long for a pooled connection, then answers 503.
    db_pool_timeout: float = Field(5.0, gt=0, le=60)
    db_connect_timeout: float = Field(5.0, gt=0, le=60)
    # Seconds. Set on every connection, so a slow query, a lock held elsewhere or a
    # forgotten transaction ends in an error (503) instead of holding a request or a lock.
    db_statement_timeout: float = Field(5.0, gt=0, le=600)
    db_lock_timeout: float = Field(3.0, gt=0, le=600)
    db_idle_transaction_timeout: float = Field(15.0, gt=0, le=3600)
    # Seconds `/readyz` gives the database to answer before it reports "not ready".
    db_ready_timeout: float = Field(2.0, gt=0, le=60)

    @property
    def async_database_url(self) -> str:
        """The URL with the asyncpg driver, whatever scheme the operator wrote."""
        return to_asyncpg_url(self.database_url)


class HttpSettings(FromEnvironment):
    patients_url: str = "http://127.0.0.1:8001"
    plans_url: str = "http://127.0.0.1:8002"
    scheduling_url: str = "http://127.0.0.1:8003"
    http_connect_timeout: float = 2.0
    http_read_timeout: float = 2.0
    # One call to another service: attempts (idempotent calls only) and seconds for the whole
    # call, retries and their waits included.
    http_call_attempts: int = Field(3, ge=1, le=10)
    http_call_budget: float = Field(5.0, gt=0, le=60)


class TokenSettings(FromEnvironment):
    jwt_issuer: str = DEV_ISSUER
    jwt_audience: str = "clinic-api"
    jwks_cache_seconds: int = Field(300, ge=10)
    # Seconds of clock difference between hosts tolerated on a token's iat, nbf and exp.
    jwt_leeway_seconds: int = Field(30, ge=0, le=300)


# -- service identity and the account check (mixed into ServiceSettings) ------------------

SERVICE_CLIENTS = ("plans", "scheduling")  # the services that sign in to the patients service
MIN_SECRET_LENGTH = 32


def secret_variable(client: str) -> str:
    """Where a client's secret comes from: one variable per service, read only by that
    service and by the patients service (which checks it)."""
    return f"CLINIC_{client.upper()}_CLIENT_SECRET"


def weak_secret_problems(client: str, secret: SecretStr | None) -> list[str]:
    """A production refusal when this client's secret is missing or too short to be random."""
    if len(secret.get_secret_value() if secret else "") >= MIN_SECRET_LENGTH:
        return []
    return [
        f"{secret_variable(client)} must be set, at least {MIN_SECRET_LENGTH} characters "
        "(make a random one)"
    ]


class ServiceIdentitySettings(FromEnvironment):
    """How long a service token lives, and how fresh the account check is. The client
    secrets are not here: each service declares only the ones it holds (`ClientSettings`
    below, and `PatientsSettings`, which checks them)."""

    service_token_seconds: int = Field(300, ge=30, le=900)
    # How long a service trusts what it learnt about an account (active or not), in seconds.
    account_check_seconds: float = Field(5.0, ge=0, le=60)
    check_accounts: bool = True  # off only to measure what the check costs (bench/)


class ServiceSettings(DatabaseSettings, HttpSettings, TokenSettings, ServiceIdentitySettings):
    """What every service reads: its database, the other services, token verification."""

    env: Environment = "development"
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    log_level: str = "INFO"
    cors_origins: list[str] = []
    # Peers believed about the client (X-Forwarded-For, -Prefix, -Proto) and about the request
    # id: the proxy and our own services. Comma-separated addresses or networks.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=lambda: [ip_network("127.0.0.1/32"), ip_network("::1/128")]
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return [part.strip() for part in value.split(",") if part.strip()]  # "": trust no one

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def production_problems(self) -> list[str]:
        """Development defaults left in place; a subclass adds its own."""
        problems = []
        if self.database_url == DEFAULT_DATABASE_URL:
            problems.append("DATABASE_URL must point at the production database")
        if self.jwt_issuer == DEV_ISSUER:
            problems.append("CLINIC_JWT_ISSUER must be the public URL of the patients service")
        if not self.check_accounts:
            problems.append("CLINIC_CHECK_ACCOUNTS must stay on in production")
        return problems

    @model_validator(mode="after")
    def _refuse_development_defaults_in_production(self) -> "ServiceSettings":
        problems = self.production_problems() if self.is_production else []
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self


class ClientSettings(ServiceSettings):
    """A service that signs in to the patients service (client-credentials grant) with its
    own secret, and holds no other service's. A subclass names the client and reads
    `client_secret` from that client's variable (`client_secret_field`)."""

    client_id: ClassVar[str]
    client_secret: SecretStr | None = None

    def production_problems(self) -> list[str]:
        return super().production_problems() + weak_secret_problems(
            self.client_id, self.client_secret
        )


def client_secret_field(client: str) -> Any:
    """The `client_secret` field of one client's settings, read from its own variable only."""
    return Field(None, validation_alias=secret_variable(client))


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


AnySettings = TypeVar("AnySettings", bound=FromEnvironment)


@lru_cache
def get_settings(kind: type[AnySettings] = ServiceSettings) -> AnySettings:  # type: ignore[assignment]
    """The settings of this process, read once: `ServiceSettings` unless a service asks for
    its own subclass."""
    return kind()
