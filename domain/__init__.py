"""The write side: aggregates, their events and rules, and the commands on them.

Imports only the standard library and ``eventsourcing``; no SQL, HTTP, GraphQL or settings.
"""
