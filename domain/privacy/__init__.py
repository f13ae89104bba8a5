"""Privacy: the record of every export of a customer's data (right of access)."""
