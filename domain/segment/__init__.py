"""Customer segments: named rules over the read side, defined and changed as events."""
