"""Who reaches a plan's home records, checked on the plan itself (the plans' one rule:
services/plans/visibility.py).

A patient reaches only the plans of care that are theirs: any other plan answers 404, the
same as a plan that does not exist, so plan ids cannot be probed. Staff reach what their
work needs (the front desk never reads a home log). A role the records are not for hears
403 whatever the plan id, before any lookup: so a patient hears 403 on red flags, which are
not theirs to read. Refusals are audited.
"""

from services.plans.visibility import PlanAccess

LOGGING = PlanAccess(
    roles=("patient",),
    forbidden="Only the patient logs and corrects their home sessions.",
)
READING = PlanAccess(
    roles=("patient", "therapist", "admin"),
    forbidden="The front desk does not read home exercise logs or adherence.",
)
FLAGS = PlanAccess(
    roles=("therapist", "admin"),
    forbidden="Red flags are for therapists and administrators.",
)
