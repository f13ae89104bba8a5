"""Every read model the product maintains, by name."""

from __future__ import annotations

from projections.audit.projection import AuditChain
from projections.base import Projection
from projections.customers.projection import CustomerDirectory
from projections.history.projection import CustomerHistory
from projections.loyalty.projection import LoyaltyStatements
from projections.outbox.projection import NotificationOutbox
from projections.privacy.personal_data import PersonalDataIndex
from projections.privacy.projection import PrivacyReports
from projections.referrals.projection import ReferralFunnel
from projections.surveys.projection import SurveyDashboard
from projections.tickets.projection import TicketTimeline

ALL_PROJECTIONS: tuple[type[Projection], ...] = (
    AuditChain,
    PersonalDataIndex,
    CustomerDirectory,
    NotificationOutbox,
    SurveyDashboard,
    LoyaltyStatements,
    TicketTimeline,
    ReferralFunnel,
    CustomerHistory,
    PrivacyReports,
)


def projection_named(name: str) -> type[Projection]:
    for projection in ALL_PROJECTIONS:
        if projection.name == name:
            return projection
    known = ", ".join(p.name for p in ALL_PROJECTIONS)
    raise KeyError(f"no projection named {name!r}; known: {known}")
