"""What a patient reads of their own plans of care."""
