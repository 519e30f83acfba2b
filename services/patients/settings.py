"""What only the patients service reads, on top of every service's settings: it signs the
tokens (key, lifetimes), seeds the demo accounts, and checks every client's secret."""

from pathlib import Path

from pydantic import Field, SecretStr

from services.common.settings import SERVICE_CLIENTS, ServiceSettings, weak_secret_problems


class PatientsSettings(ServiceSettings):
    jwt_private_key: str | None = None
    jwt_private_key_file: Path | None = None
    access_token_minutes: int = Field(15, ge=1, le=60)
    refresh_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    refresh_absolute_hours: int = Field(12, ge=1, le=24 * 30)
    demo_password: str | None = None
    # Every client's secret: this service checks them (client-credentials grant).
    plans_client_secret: SecretStr | None = None
    scheduling_client_secret: SecretStr | None = None
    # CLINIC_SERVICE_NAME: `patients` when this process serves the API, so it needs the
    # secrets; the admin CLI (migrations, seed) reads the same class and needs none.
    service_name: str | None = None

    def signing_key_pem(self) -> str | None:
        if self.jwt_private_key:
            return self.jwt_private_key
        if self.jwt_private_key_file and self.jwt_private_key_file.exists():
            return self.jwt_private_key_file.read_text()
        return None

    def client_secret(self, service: str) -> str | None:
        """The secret a calling service must present; None for a name that is no client."""
        if service not in SERVICE_CLIENTS:
            return None
        secret: SecretStr | None = getattr(self, f"{service}_client_secret")
        return secret.get_secret_value() if secret else None

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.demo_password:
            problems.append("CLINIC_DEMO_PASSWORD must not be set in production")
        return problems + self._client_secret_problems()

    def _client_secret_problems(self) -> list[str]:
        if self.service_name != "patients":
            return []
        problems = [
            problem
            for client in SERVICE_CLIENTS
            for problem in weak_secret_problems(client, getattr(self, f"{client}_client_secret"))
        ]
        given = [s for s in map(self.client_secret, SERVICE_CLIENTS) if s]
        if len(given) != len(set(given)):
            problems.append("each service's client secret must differ from the others'")
        return problems
