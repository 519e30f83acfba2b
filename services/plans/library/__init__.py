"""The library: exercises and condition protocols, the clinic's reference data for plans."""
