"""Every GraphQL enum of the schema, in one place.

An enum the domain (or a read model) defines is the GraphQL enum itself: strawberry reads its
members, so a value added to the domain reaches the schema (and the SDL test) with no copy to
forget, and resolvers pass domain values through without converting them. The few enums with
no such counterpart are declared at the end. Import them from here, never straight from the
domain, so that a type's annotation always meets the enum after it was declared to strawberry.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from domain.customer.profile import ConsentDecision, ConsentPurpose, ContactChannel
from domain.loyalty.values import CapPeriod, RewardKind, RuleDimension, RuleKind, SupportPriority
from domain.loyalty.values import Tier as LoyaltyTier
from domain.privacy.erasure import ErasureReason, SubjectKind
from domain.purchase.values import PurchaseChannel
from domain.survey.values import SurveyChannel, SurveyKind, SurveyStatus
from domain.ticket.values import Priority, SlaClock, TicketChannel, TicketStatus
from projections.loyalty.views import TransactionKind
from projections.privacy.erasure_queries import ErasureStatus
from projections.referrals.views import ReferralStage
from projections.surveys.views import Dimension, TrendInterval
from projections.tickets.views import MetricsGrouping, TimelineKind

E = TypeVar("E", bound=Enum)


def graphql_enum(
    kind: type[E], name: str, description: str, values: Mapping[E, str] | None = None
) -> type[E]:
    """Declare ``kind`` to strawberry as the GraphQL enum ``name``, with a description for
    each member given in ``values`` (strawberry's own ``enum_value`` works only inside the
    class body, and the domain's enums are not the API's to edit)."""
    declared = strawberry.enum(kind, name=name, description=description)
    definition: StrawberryEnumDefinition = getattr(declared, "__strawberry_definition__")  # noqa: B009
    described = {member.value: text for member, text in (values or {}).items()}
    for value in definition.values:
        value.description = described.get(value.value, value.description)
    return declared


# --- customers and purchases ---------------------------------------------------------------
graphql_enum(ContactChannel, "ContactChannel", "A channel a customer can be contacted on.")
graphql_enum(ConsentPurpose, "ConsentPurpose", "What a customer can consent to.")
graphql_enum(
    ConsentDecision,
    "ConsentDecision",
    "What the customer said last: GIVEN, WITHDRAWN (a no after a yes) or REFUSED (a no "
    "without an earlier yes). Withdrawn and refused are respected alike.",
)
graphql_enum(PurchaseChannel, "PurchaseChannel", "Where a purchase was made.")

# --- loyalty -------------------------------------------------------------------------------
graphql_enum(LoyaltyTier, "LoyaltyTier", "A member's tier, from points earned in 365 days.")
graphql_enum(SupportPriority, "SupportPriority", "The ticket priority a tier's members get.")
graphql_enum(RewardKind, "RewardKind", "What a reward gives.")
graphql_enum(
    RuleKind,
    "EarningRuleKind",
    "BASE_RATE: points per whole currency unit. MULTIPLIER: a percentage applied to purchases "
    "matching a tier, product category or channel. FIRST_PURCHASE_BONUS: extra points for the "
    "first purchase that earns. CAP: at most so many purchase points per period.",
)
graphql_enum(RuleDimension, "EarningRuleDimension", "What a multiplier rule matches on.")
graphql_enum(CapPeriod, "EarningCapPeriod", "The calendar period (UTC) a cap covers.")
graphql_enum(TransactionKind, "LoyaltyTransactionKind", "What moved the points.")

# --- surveys -------------------------------------------------------------------------------
graphql_enum(
    SurveyKind,
    "SurveyKind",
    "What a survey's main question measures: NPS (0-10), CSAT (1-5) or CES (1-7).",
)
graphql_enum(
    SurveyChannel,
    "SurveyChannel",
    "Where a survey runs: a link by email, SMS or push; or in the site or app.",
)
graphql_enum(SurveyStatus, "SurveyStatus", "Where a survey is in its life.")
graphql_enum(TrendInterval, "TrendInterval", "The length of one point of a trend.")
graphql_enum(
    Dimension,
    "SurveyDimension",
    "What the dashboard can be grouped by; values are those at response time.",
)

# --- tickets -------------------------------------------------------------------------------
graphql_enum(TicketStatus, "TicketStatus", "Where a ticket is in its life.")
graphql_enum(Priority, "TicketPriority", "How urgent a ticket is; sets its SLA.")
graphql_enum(TicketChannel, "TicketChannel", "Where the customer raised the ticket.")
graphql_enum(
    SlaClock,
    "SlaClock",
    "FIRST_RESPONSE runs until an agent's first public reply; RESOLUTION until the ticket is "
    "resolved. Both pause on hold.",
)
graphql_enum(TimelineKind, "TicketStepKind", "What happened at a step of a ticket.")
graphql_enum(
    MetricsGrouping,
    "ServiceMetricsGrouping",
    "How rows are split: by the current agent, category or priority, or by UTC day, ISO week "
    "or month of each figure's own event time.",
)

# --- referrals -----------------------------------------------------------------------------
graphql_enum(
    ReferralStage,
    "ReferralStage",
    "How far a referral went; a reversed referral stays reversed whatever it reached.",
)

# --- privacy -------------------------------------------------------------------------------
graphql_enum(ErasureReason, "ErasureReason", "Why a subject's data is to be erased.")
graphql_enum(
    SubjectKind,
    "ErasureSubjectKind",
    "CUSTOMER: a registered customer. INVITEE: a person a referrer invited by email (who may "
    "never have registered).",
)
graphql_enum(
    ErasureStatus,
    "ErasureStatus",
    "Where an erasure request is. PENDING: requested. ERASING: completion began but did not "
    "finish (its keys may already be destroyed while read models still hold copies): "
    "completeErasure again, or the worker within a few minutes, finishes it. COMPLETED: done.",
)


# --- enums of the API's own (the domain keeps these as plain values) -----------------------
@strawberry.enum(name="OnboardingState", description="How far a customer is with onboarding.")
class OnboardingState(Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@strawberry.enum(
    name="NpsCategory",
    description="Where an NPS score falls: promoter 9-10, passive 7-8, detractor 0-6.",
)
class NpsCategory(Enum):
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


@strawberry.enum(name="ReferralFunnelGranularity", description="The length of one trend period.")
class ReferralFunnelGranularity(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@strawberry.enum(name="Weekday", description="A day of the week.")
class Weekday(Enum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


@strawberry.enum(name="AuditProblem", description="How the stored log disagrees with its chain.")
class AuditProblem(Enum):
    ALTERED = "altered"
    MISSING = "missing"
    UNCHAINED = "unchained"
    UNKEYED = "unkeyed"
    ANCHOR_MISMATCH = "anchor_mismatch"


__all__ = [
    "AuditProblem",
    "CapPeriod",
    "ConsentDecision",
    "ConsentPurpose",
    "ContactChannel",
    "Dimension",
    "ErasureReason",
    "ErasureStatus",
    "LoyaltyTier",
    "MetricsGrouping",
    "NpsCategory",
    "OnboardingState",
    "Priority",
    "PurchaseChannel",
    "ReferralFunnelGranularity",
    "ReferralStage",
    "RewardKind",
    "RuleDimension",
    "RuleKind",
    "SlaClock",
    "SubjectKind",
    "SupportPriority",
    "SurveyChannel",
    "SurveyKind",
    "SurveyStatus",
    "TicketChannel",
    "TicketStatus",
    "TimelineKind",
    "TransactionKind",
    "TrendInterval",
    "Weekday",
]
