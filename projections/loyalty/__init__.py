"""The loyalty read model: statements (balances as of any date, every movement traced to its
lots), the rewards catalog, the rule book, and program metrics."""
