"""The patients service: patient records, accounts and roles; the identity provider."""
