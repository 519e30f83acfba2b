"""The scheduling service: locations, hours, appointment types, availability, appointments."""
