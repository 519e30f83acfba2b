"""Therapists' calendar feeds: a secret URL per therapist that calendar apps subscribe to."""
