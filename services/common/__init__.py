"""What all three services need and nothing domain-specific: settings, database, errors,
pagination, token verification, the inter-service client, request ids, logging, the app factory."""
