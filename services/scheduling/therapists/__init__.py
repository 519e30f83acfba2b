"""A therapist's weekly hours at each clinic, and their time off."""
