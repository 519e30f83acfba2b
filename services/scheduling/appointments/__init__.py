"""Appointments: booking, the day's moves (check in, complete, no-show, cancel, reschedule),
the day sheet and a patient's own list, and the visit outcomes relayed to plans."""
