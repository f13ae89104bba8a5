"""Segment membership: per-customer facts, segment rules and who was in each segment when."""
