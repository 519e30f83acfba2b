"""What the scheduling service reads: every service's settings, and its own client secret
(`CLINIC_SCHEDULING_CLIENT_SECRET`), never plans'."""

from typing import ClassVar

from pydantic import SecretStr

from services.common.settings import ClientSettings, client_secret_field


class SchedulingSettings(ClientSettings):
    client_id: ClassVar[str] = "scheduling"
    client_secret: SecretStr | None = client_secret_field("scheduling")
