"""What the scheduling service reads: every service's settings, its own client secret
(`CLINIC_SCHEDULING_CLIENT_SECRET`), never plans', and the slot grid (`CLINIC_SLOT_MINUTES`)."""

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator

from services.common.settings import ClientSettings, client_secret_field


class SchedulingSettings(ClientSettings):
    client_id: ClassVar[str] = "scheduling"
    client_secret: SecretStr | None = client_secret_field("scheduling")
    # Visits start on this grid of the clinic's clock: every 15 minutes past the hour.
    slot_minutes: int = Field(15, ge=5, le=60)

    @field_validator("slot_minutes")
    @classmethod
    def _divides_the_hour(cls, minutes: int) -> int:
        if 60 % minutes:
            raise ValueError("must divide the hour: 5, 6, 10, 12, 15, 20, 30 or 60")
        return minutes
