"""What the front desk's routes share (appointments, holds, the wait list): who may book, the
booking rules as they stand at this request (the clock and the slot grid), and the created
answer's documented Location header."""

from typing import Annotated

from fastapi import Depends, Request

from services.common.auth import Caller, require_role
from services.common.columns import utcnow
from services.scheduling.appointments.service import Rules

Desk = Annotated[Caller, Depends(require_role("front_desk", "admin"))]
CREATED = {201: {"headers": {"Location": {"schema": {"type": "string"}}}}}


def booking_rules(request: Request) -> Rules:
    return Rules(now=utcnow(), step_minutes=request.app.state.settings.slot_minutes)


RulesDep = Annotated[Rules, Depends(booking_rules)]
