"""What making a calendar feed answers."""

from datetime import datetime

from pydantic import BaseModel, Field


class CalendarFeedRead(BaseModel):
    url: str = Field(
        description="The feed's address, to paste into a calendar app (subscribe by URL). It "
        "holds the secret and is shown only this once: keep it like a password."
    )
    created_at: datetime
