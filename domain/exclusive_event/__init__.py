"""Exclusive events for loyal customers: scheduled by admins, open to invited tiers."""
