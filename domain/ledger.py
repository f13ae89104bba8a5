"""The Ledger: the one event-sourced application that holds every aggregate."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.customer.access import CustomerAccessCommands
from domain.customer.email_change import EmailChangeCommands
from domain.customer.registration import SelfRegistrationCommands
from domain.loyalty.account import LoyaltyAccount
from domain.privacy.commands import PrivacyCommands
from domain.privacy.erasure_commands import ErasureCommands
from domain.survey.commands import SurveyCommands
from domain.ticket.commands import TicketCommands


class Ledger(
    CustomerAccessCommands,
    SelfRegistrationCommands,
    EmailChangeCommands,
    TicketCommands,
    ErasureCommands,
    SurveyCommands,
    PrivacyCommands,
):
    """All commands of the company, over one totally ordered notification log."""

    # A loyalty account lives as long as its member: load it from its latest snapshot (taken
    # every 100 events, in the snapshots table beside the log) plus the events after it.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {LoyaltyAccount: 100}
