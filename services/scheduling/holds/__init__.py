"""Holds: a time kept for a few minutes while the front desk settles a booking (or offered
to the wait list after a cancellation), blocking it like a visit until it is confirmed into
an appointment, released, or expires."""
