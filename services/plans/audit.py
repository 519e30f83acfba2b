"""The plans service's audit trail: one append-only row for every read or change of a plan,
a home session, adherence or a handout, and every refusal. The shape and the behaviour are
common's (services/common/audit.py), as in the patients service."""

from services.common.audit import AuditTrail, Origin
from services.plans.models import AuditEvent

__all__ = ["Origin", "event", "record", "refused", "trail"]

trail = AuditTrail(AuditEvent)
event = trail.event
record = trail.record
refused = trail.refused
