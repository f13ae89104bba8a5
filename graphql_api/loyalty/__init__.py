"""The loyalty area: accounts and statements, the earning rule book, the rewards catalog."""
