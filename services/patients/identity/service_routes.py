"""HTTP routes that only other services of the platform call (service tokens only).

Not routed by the public proxy (deploy/Caddyfile): plans and scheduling reach them on the
internal network.
"""

import uuid
from typing import Any

from fastapi import APIRouter

from services.common.auth import ServiceCallerDep
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.patients.identity import service_identity
from services.patients.identity.service_identity import AccountStatusRead

service_router = APIRouter(prefix="/v1/accounts", tags=["service"])


@service_router.get(
    "/{user_id}/status",
    response_model=AccountStatusRead,
    responses=problem_responses(401, 403, 404),
)
async def read_account_status(
    user_id: uuid.UUID, caller: ServiceCallerDep, session: SessionDep
) -> Any:
    """Whether an account may still act (not disabled, its patient not archived). Services
    only: plans and scheduling ask it to check the account behind a user's token."""
    return await service_identity.account_status(session, user_id=user_id)
