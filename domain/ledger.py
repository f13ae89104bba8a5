"""The Ledger: the one event-sourced application that holds every aggregate."""

from __future__ import annotations

from domain.customer.access import CustomerAccessCommands
from domain.purchase.commands import PurchaseCommands
from domain.survey.commands import SurveyCommands


class Ledger(CustomerAccessCommands, PurchaseCommands, SurveyCommands):
    """All commands of the company, over one totally ordered notification log."""
