"""The audit chain: a hash chain over the stored log that shows where it was altered."""
