"""The wait list: patients waiting for a visit at a clinic (with a therapist, or any),
offered the time of a cancelled visit that suits them, the first to accept booking it."""
