"""What the plans service reads: every service's settings, and its own client secret
(`CLINIC_PLANS_CLIENT_SECRET`), never scheduling's."""

from typing import ClassVar

from pydantic import SecretStr

from services.common.settings import ClientSettings, client_secret_field


class PlansSettings(ClientSettings):
    client_id: ClassVar[str] = "plans"
    client_secret: SecretStr | None = client_secret_field("plans")
