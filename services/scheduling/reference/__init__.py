"""The kinds of visit and the clinics: reference data everyone reads, admins edit the kinds."""
