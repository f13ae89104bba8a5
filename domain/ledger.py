"""The Ledger: the one event-sourced application that holds every aggregate."""

from __future__ import annotations

from domain.customer.commands import CustomerCommands


class Ledger(CustomerCommands):
    """All commands of the company, over one totally ordered notification log."""
