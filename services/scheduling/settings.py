"""What the scheduling service reads: every service's settings, its own client secret
(`CLINIC_SCHEDULING_CLIENT_SECRET`), never plans', the slot grid (`CLINIC_SLOT_MINUTES`), how
often visit outcomes are relayed to plans (`CLINIC_VISIT_OUTCOME_RELAY_SECONDS`) and how long
sent ones are kept (`CLINIC_VISIT_OUTCOME_KEEP_DAYS`), the public address calendar-feed URLs
are given at (`CLINIC_PUBLIC_URL`), and how a cancelled visit's time is offered to the wait
list (`CLINIC_WAITLIST_OFFERS_PER_SLOT`, `CLINIC_WAITLIST_OFFER_MINUTES`)."""

from typing import ClassVar

from pydantic import Field, HttpUrl, SecretStr, field_validator

from services.common.settings import ClientSettings, client_secret_field


class SchedulingSettings(ClientSettings):
    client_id: ClassVar[str] = "scheduling"
    client_secret: SecretStr | None = client_secret_field("scheduling")
    # Visits start on this grid of the clinic's clock: every 15 minutes past the hour.
    slot_minutes: int = Field(15, ge=5, le=60)
    # The relay of visit outcomes looks for outcomes to send this often; 0 runs no relay in
    # the background (the tests call it themselves, at the moments they choose).
    visit_outcome_relay_seconds: float = Field(5.0, ge=0, le=3600)
    # Outcomes plans has taken are deleted by the relay this many days after they were sent.
    visit_outcome_keep_days: int = Field(30, ge=1, le=3650)
    # Where the clinic's users reach the API (the proxy, as the world sees it, such as
    # https://clinic.example): a calendar feed's URL starts with it. Unset, the URL is built
    # from the request as the proxy forwarded it, which is wrong behind a TLS terminator.
    public_url: HttpUrl | None = None
    # A cancelled visit's time goes to at most this many wait-list entries at once, held
    # for them this many minutes (never past the visit's start): the first to accept books it.
    waitlist_offers_per_slot: int = Field(3, ge=1, le=20)
    waitlist_offer_minutes: int = Field(30, ge=1, le=1440)

    @field_validator("slot_minutes")
    @classmethod
    def _divides_the_hour(cls, minutes: int) -> int:
        if 60 % minutes:
            raise ValueError("must divide the hour: 5, 6, 10, 12, 15, 20, 30 or 60")
        return minutes
