"""The plans of care as FHIR R4 resources (docs/fhir.md)."""
