"""The plans service: exercise library, condition protocols, plans of care, home sessions."""
