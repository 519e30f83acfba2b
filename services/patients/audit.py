"""The patients service's audit trail: one append-only row for every read or change of PHI
and every sign-in. The shape and the behaviour are common's (services/common/audit.py)."""

from services.common.audit import AuditTrail, Origin
from services.patients.models import AuditEvent

__all__ = ["Origin", "event", "record", "record_replay", "refused", "trail"]

trail = AuditTrail(AuditEvent)
event = trail.event
record = trail.record
record_replay = trail.record_replay
refused = trail.refused
