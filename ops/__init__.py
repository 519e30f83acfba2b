"""Operator and developer tooling: the embedded database, `make run`, seeding, `clinic-admin`."""
