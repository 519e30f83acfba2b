"""Patients: disable the logins that archived patients kept, and revoke their sessions.

Before issue 6, an archive racing the creation of a login could leave an archived patient
with an enabled login, and an admin could enable one again. The code now refuses both; this
clears what the old code may have left behind. A data fix: the downgrade leaves it in place.

Revision ID: a6ddc9c04d9c
Revises: 7700f66fa1c4
Created: 2026-11-29 20:01:21.307741+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a6ddc9c04d9c"
down_revision: str | None = "7700f66fa1c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DISABLE_LOGINS = """
UPDATE patients.user_account AS a SET disabled_at = now()
FROM patients.patient AS p
WHERE p.id = a.patient_id AND p.status = 'archived' AND a.disabled_at IS NULL
"""
REVOKE_SESSIONS = """
UPDATE patients.refresh_token AS r SET revoked_at = now()
FROM patients.user_account AS a JOIN patients.patient AS p ON p.id = a.patient_id
WHERE r.user_id = a.id AND p.status = 'archived' AND r.revoked_at IS NULL
"""


def upgrade() -> None:
    op.execute(DISABLE_LOGINS)
    op.execute(REVOKE_SESSIONS)


def downgrade() -> None:
    pass  # re-enabling archived patients' logins would bring the defect back
