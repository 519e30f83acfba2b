"""The patient record: register, read, change, archive and search patients (`/v1/patients`)."""
