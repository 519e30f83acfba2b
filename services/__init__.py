"""The clinic's three services (patients, plans, scheduling) and the package they share."""
