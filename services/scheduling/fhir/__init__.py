"""Appointments as FHIR R4 resources (docs/fhir.md)."""
