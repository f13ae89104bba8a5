"""Loyalty: accounts with a points ledger of lots, earning rules, rewards and tiers."""
