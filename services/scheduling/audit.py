"""The scheduling service's audit trail: one append-only row for every read or change of an
appointment (PHI: who sees whom, when and for what) and every refusal. The shape and the
behaviour are common's (services/common/audit.py), as in the other services."""

from services.common.audit import AuditTrail, Origin
from services.scheduling.models import AuditEvent

__all__ = ["Origin", "event", "record", "refused", "trail"]

trail = AuditTrail(AuditEvent)
event = trail.event
record = trail.record
refused = trail.refused
