"""Audit queries: verify the log against its hash chain."""
