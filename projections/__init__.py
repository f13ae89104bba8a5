"""The read side: each read model is built from the event log alone.

A projection owns its tables and its queries; it sees events and a database cursor given to it,
never aggregates or commands.
"""
