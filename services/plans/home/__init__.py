"""A plan's home part as the patient lives it: the daily exercise logs (home sessions), the
red flags a log can raise for the therapist, and adherence to the home program."""
