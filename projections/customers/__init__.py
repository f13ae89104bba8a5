"""CustomerDirectory: one row per customer, for `customer(id)` and `customers(...)`."""
