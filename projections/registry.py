"""Every read model the product maintains, by name."""

from __future__ import annotations

from projections.audit.projection import AuditChain
from projections.base import Projection
from projections.billing.projection import BillingStatements
from projections.campaigns.projection import CampaignFigures
from projections.customers.projection import CustomerDirectory
from projections.exclusive_events.projection import ExclusiveEvents
from projections.feedback.projection import FeedbackInbox
from projections.history.projection import CustomerHistory
from projections.improvements.projection import ImprovementImpact
from projections.knowledge.projection import KnowledgeBase
from projections.loyalty.projection import LoyaltyStatements
from projections.orders.projection import OrderTracking
from projections.outbox.projection import NotificationOutbox
from projections.privacy.personal_data import PersonalDataIndex
from projections.privacy.projection import PrivacyReports
from projections.recommendations.projection import ProductAffinity
from projections.referrals.projection import ReferralFunnel
from projections.reviews.projection import ProductReviews
from projections.segments.projection import SegmentMembership
from projections.success.plan_projection import SuccessPlans
from projections.success.projection import CustomerHealth
from projections.surveys.projection import SurveyDashboard
from projections.testimonials.projection import Testimonials
from projections.theme_priorities.projection import ThemePriorities
from projections.tickets.projection import TicketTimeline

ALL_PROJECTIONS: tuple[type[Projection], ...] = (
    AuditChain,
    PersonalDataIndex,
    CustomerDirectory,
    NotificationOutbox,
    SurveyDashboard,
    ImprovementImpact,
    ThemePriorities,
    LoyaltyStatements,
    TicketTimeline,
    ReferralFunnel,
    CustomerHealth,
    SuccessPlans,
    ProductReviews,
    OrderTracking,
    ExclusiveEvents,
    BillingStatements,
    CustomerHistory,
    PrivacyReports,
    SegmentMembership,
    Testimonials,
    CampaignFigures,
    FeedbackInbox,
    KnowledgeBase,
    ProductAffinity,
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
