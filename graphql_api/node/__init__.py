"""Relay Object Identification: Query.node and Query.nodes over every Node type."""
