"""Customer types, queries and mutations."""
