"""The Ledger: the one event-sourced application that holds every aggregate."""

from __future__ import annotations

from domain.customer.access import CustomerAccessCommands
from domain.loyalty.commands import LoyaltyCommands
from domain.survey.commands import SurveyCommands


class Ledger(CustomerAccessCommands, LoyaltyCommands, SurveyCommands):
    """All commands of the company, over one totally ordered notification log."""
