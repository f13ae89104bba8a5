"""The Ledger: the one event-sourced application that holds every aggregate."""

from __future__ import annotations

from domain.customer.access import CustomerAccessCommands
from domain.purchase.commands import PurchaseCommands


class Ledger(CustomerAccessCommands, PurchaseCommands):
    """All commands of the company, over one totally ordered notification log."""
