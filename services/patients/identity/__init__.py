"""Identity: sign-in and tokens, accounts and passwords, sign-in throttling, and the
platform services' own identity (`/v1/auth`, `/v1/users`, `/v1/accounts`)."""
