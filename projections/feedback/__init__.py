"""The feedback inbox read model."""
