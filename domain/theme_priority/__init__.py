"""Enhancement priorities: a product manager's decision on a theme of customers' feedback."""
