"""The history area: auditors replay a customer's history and their state as of any instant."""
