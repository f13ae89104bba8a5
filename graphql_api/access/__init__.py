"""Access to customer accounts over GraphQL: log-in and passwords."""
