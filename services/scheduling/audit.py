"""The scheduling service's audit trail: one append-only row for every read or change of an
appointment (PHI: who sees whom, when and for what) and every refusal. The shape and the
behaviour are common's (services/common/audit.py), as in the other services."""

from services.common.audit import AuditTrail, Origin
from services.scheduling.models import AuditEvent

__all__ = ["Origin", "event", "record", "record_replay", "refused", "trail"]

trail = AuditTrail(AuditEvent)
event = trail.event
record = trail.record
record_replay = trail.record_replay
refused = trail.refused
