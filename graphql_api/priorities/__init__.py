"""Enhancement priorities: feedback themes ranked for product managers, and their decisions."""
