"""The privacy area: data exports (right of access), their record, and consent history."""
