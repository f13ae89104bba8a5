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


def build_projections(audit_chain_key: bytes) -> list[Projection]:
    """One instance of every read model; the audit chain gets its key (from the composition
    root, which alone reads settings)."""
    return [AuditChain(audit_chain_key) if p is AuditChain else p() for p in ALL_PROJECTIONS]


def projection_named(name: str) -> type[Projection]:
    for projection in ALL_PROJECTIONS:
        if projection.name == name:
            return projection
    known = ", ".join(p.name for p in ALL_PROJECTIONS)
    raise KeyError(f"no projection named {name!r}; known: {known}")
