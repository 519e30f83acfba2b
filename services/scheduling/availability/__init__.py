"""The availability search: free slots from hours, opening hours and busy times."""
