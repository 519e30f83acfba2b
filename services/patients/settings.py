"""What only the patients service reads, on top of every service's settings: it signs the
tokens (key, lifetimes) and seeds the demo accounts."""

from pathlib import Path

from pydantic import Field

from services.common.settings import ServiceSettings


class PatientsSettings(ServiceSettings):
    jwt_private_key: str | None = None
    jwt_private_key_file: Path | None = None
    access_token_minutes: int = Field(15, ge=1, le=60)
    refresh_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    refresh_absolute_hours: int = Field(12, ge=1, le=24 * 30)
    demo_password: str | None = None

    def signing_key_pem(self) -> str | None:
        if self.jwt_private_key:
            return self.jwt_private_key
        if self.jwt_private_key_file and self.jwt_private_key_file.exists():
            return self.jwt_private_key_file.read_text()
        return None

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.demo_password:
            problems.append("CLINIC_DEMO_PASSWORD must not be set in production")
        return problems
