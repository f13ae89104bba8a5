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

from domain.campaign.values import CampaignStatus, SkipReason
from domain.customer.profile import ConsentDecision, ConsentPurpose, ContactChannel
from domain.feedback.values import FeedbackKind
from domain.knowledge.values import ArticleLanguage, ArticleStatus
from domain.loyalty.values import CapPeriod, RewardKind, RuleDimension, RuleKind, SupportPriority
from domain.loyalty.values import Tier as LoyaltyTier
from domain.privacy.erasure import ErasureReason, SubjectKind
from domain.purchase.values import PurchaseChannel
from domain.success.health import Band as HealthBand
from domain.success.values import PlanOutcome as SuccessPlanOutcome
from domain.success.values import PlanStatus as SuccessPlanStatus
from domain.survey.values import SurveyChannel, SurveyKind, SurveyStatus
from domain.ticket.values import Priority, SlaClock, TicketChannel, TicketStatus
from projections.feedback.views import SentimentBucket
from projections.loyalty.views import TransactionKind
from projections.outbox.deliveries import DeliveryStatus, NotificationKind
from projections.privacy.erasure_queries import ErasureStatus
from projections.referrals.views import ReferralStage
from projections.surveys.views import Dimension, TrendInterval
from projections.tickets.views import MetricsGrouping, TimelineKind

E = TypeVar("E", bound=Enum)


def graphql_enum(kind: type[E], name: str, description: str, values: Mapping[E, str]) -> type[E]:
    """Declare ``kind`` to strawberry as the GraphQL enum ``name``, with a description for
    each member given in ``values`` (strawberry's own ``enum_value`` works only inside the
    class body, and the domain's enums are not the API's to edit).

    Every member must have one: a value added to a domain enum without its description stops
    the import (and so every test) instead of reaching clients undocumented.
    """
    missing = [member.name for member in kind if member not in values]
    if missing:
        raise ValueError(f"GraphQL enum {name} lacks a description for {', '.join(missing)}")
    declared = strawberry.enum(kind, name=name, description=description)
    definition: StrawberryEnumDefinition = getattr(declared, "__strawberry_definition__")  # noqa: B009
    described = {member.value: text for member, text in values.items()}
    for value in definition.values:
        value.description = described[value.value]
    return declared


# The descriptions live here, not next to the domain's enums: they are the API's wording for
# clients (they name GraphQL fields and mutations), and the domain knows nothing of the API.

# --- customers and purchases ---------------------------------------------------------------
graphql_enum(
    ContactChannel,
    "ContactChannel",
    "A channel a customer can be contacted on.",
    {
        ContactChannel.EMAIL: "By email, at the customer's email address.",
        ContactChannel.SMS: "By text message, at the customer's phone number.",
        ContactChannel.PUSH: "By push notification to the customer's app.",
    },
)
graphql_enum(
    ConsentPurpose,
    "ConsentPurpose",
    "What a customer can consent to.",
    {
        ConsentPurpose.MARKETING: "Receiving marketing messages.",
        ConsentPurpose.TESTIMONIALS: "Having their comments quoted as testimonials.",
        ConsentPurpose.RESEARCH: "Taking part in research, such as surveys and interviews.",
    },
)
graphql_enum(
    ConsentDecision,
    "ConsentDecision",
    "What the customer said last: GIVEN, WITHDRAWN (a no after a yes) or REFUSED (a no "
    "without an earlier yes). Withdrawn and refused are respected alike.",
    {
        ConsentDecision.GIVEN: "The customer said yes.",
        ConsentDecision.WITHDRAWN: "The customer said no after an earlier yes.",
        ConsentDecision.REFUSED: "The customer said no without an earlier yes.",
    },
)
graphql_enum(
    PurchaseChannel,
    "PurchaseChannel",
    "Where a purchase was made.",
    {
        PurchaseChannel.WEB: "On the website.",
        PurchaseChannel.APP: "In the mobile app.",
        PurchaseChannel.STORE: "In a physical store.",
        PurchaseChannel.PHONE: "By phone.",
    },
)

# --- loyalty -------------------------------------------------------------------------------
graphql_enum(
    LoyaltyTier,
    "LoyaltyTier",
    "A member's tier, from points earned in 365 days.",
    {
        LoyaltyTier.BRONZE: "The first tier, where every member starts.",
        LoyaltyTier.SILVER: "The middle tier.",
        LoyaltyTier.GOLD: "The highest tier.",
    },
)
graphql_enum(
    SupportPriority,
    "SupportPriority",
    "The ticket priority a tier's members get.",
    {
        SupportPriority.NORMAL: "Tickets open at NORMAL priority.",
        SupportPriority.HIGH: "Tickets open at HIGH priority.",
        SupportPriority.URGENT: "Tickets open at URGENT priority.",
    },
)
graphql_enum(
    RewardKind,
    "RewardKind",
    "What a reward gives.",
    {
        RewardKind.DISCOUNT: "Money off a purchase.",
        RewardKind.FREE_PRODUCT: "A product at no charge.",
        RewardKind.EARLY_ACCESS: "Access to something before other customers.",
        RewardKind.EXPERIENCE: "An event or experience rather than goods.",
    },
)
graphql_enum(
    RuleKind,
    "EarningRuleKind",
    "BASE_RATE: points per whole currency unit. MULTIPLIER: a percentage applied to purchases "
    "matching a tier, product category or channel. FIRST_PURCHASE_BONUS: extra points for the "
    "first purchase that earns. CAP: at most so many purchase points per period.",
    {
        RuleKind.BASE_RATE: "Points per whole unit of a currency (or of any currency without "
        "a rate of its own).",
        RuleKind.MULTIPLIER: "A percentage applied to the points of purchases matching a tier, "
        "a product category or a channel.",
        RuleKind.FIRST_PURCHASE_BONUS: "Extra points for a member's first purchase that earns.",
        RuleKind.CAP: "At most so many purchase points per calendar period.",
    },
)
graphql_enum(
    RuleDimension,
    "EarningRuleDimension",
    "What a multiplier rule matches on.",
    {
        RuleDimension.TIER: "The member's loyalty tier at the time of the purchase.",
        RuleDimension.CATEGORY: "The product category of a purchase's line.",
        RuleDimension.CHANNEL: "The channel the purchase was made on.",
    },
)
graphql_enum(
    CapPeriod,
    "EarningCapPeriod",
    "The calendar period (UTC) a cap covers.",
    {
        CapPeriod.DAY: "A calendar day (UTC).",
        CapPeriod.MONTH: "A calendar month (UTC).",
        CapPeriod.YEAR: "A calendar year (UTC).",
    },
)
graphql_enum(
    TransactionKind,
    "LoyaltyTransactionKind",
    "What moved the points.",
    {
        TransactionKind.EARNED: "Points earned, by a purchase, a bonus or a referral.",
        TransactionKind.REDEEMED: "Points spent on a reward.",
        TransactionKind.REDEMPTION_REVERSED: "A redemption undone: its points given back.",
        TransactionKind.CLAWED_BACK: "Points taken back because what earned them was returned "
        "or reversed.",
        TransactionKind.EXPIRED: "Points that expired unused.",
        TransactionKind.ADJUSTED: "A manual correction by staff.",
        TransactionKind.AWARD_REVOKED: "A points award withdrawn.",
    },
)

# --- surveys -------------------------------------------------------------------------------
graphql_enum(
    SurveyKind,
    "SurveyKind",
    "What a survey's main question measures: NPS (0-10), CSAT (1-5) or CES (1-7).",
    {
        SurveyKind.NPS: "Net Promoter Score: how likely to recommend, 0 to 10.",
        SurveyKind.CSAT: "Customer satisfaction, 1 to 5.",
        SurveyKind.CES: "Customer effort score, 1 to 7.",
    },
)
graphql_enum(
    SurveyChannel,
    "SurveyChannel",
    "Where a survey runs: a link by email, SMS or push; or in the site or app.",
    {
        SurveyChannel.EMAIL: "A link sent by email.",
        SurveyChannel.SMS: "A link sent by text message.",
        SurveyChannel.PUSH: "A link sent by push notification.",
        SurveyChannel.WEB: "Shown on the website.",
        SurveyChannel.APP: "Shown in the mobile app.",
    },
)
graphql_enum(
    SurveyStatus,
    "SurveyStatus",
    "Where a survey is in its life.",
    {
        SurveyStatus.DRAFT: "Being written; takes no responses yet.",
        SurveyStatus.PUBLISHED: "Live: takes responses.",
        SurveyStatus.CLOSED: "Ended: takes no more responses.",
    },
)
graphql_enum(
    TrendInterval,
    "TrendInterval",
    "The length of one point of a trend.",
    {
        TrendInterval.DAY: "One point per UTC day.",
        TrendInterval.WEEK: "One point per ISO week.",
        TrendInterval.MONTH: "One point per calendar month.",
    },
)
graphql_enum(
    Dimension,
    "SurveyDimension",
    "What the dashboard can be grouped by; values are those at response time.",
    {
        Dimension.REGION: "The respondent's region.",
        Dimension.CHANNEL: "The channel the response came through.",
        Dimension.PRODUCT_VERSION: "The product version the respondent used.",
        Dimension.TIER: "The respondent's loyalty tier.",
        Dimension.SURVEY: "The survey answered.",
    },
)

# --- tickets -------------------------------------------------------------------------------
graphql_enum(
    TicketStatus,
    "TicketStatus",
    "Where a ticket is in its life.",
    {
        TicketStatus.NEW: "Raised, not yet taken up by an agent.",
        TicketStatus.OPEN: "Being worked on.",
        TicketStatus.ON_HOLD: "Waiting (on the customer or a third party); SLA clocks pause.",
        TicketStatus.RESOLVED: "Solved; the customer may still reopen it.",
        TicketStatus.CLOSED: "Finished for good.",
    },
)
graphql_enum(
    Priority,
    "TicketPriority",
    "How urgent a ticket is; sets its SLA.",
    {
        Priority.LOW: "The longest SLA.",
        Priority.NORMAL: "The usual SLA.",
        Priority.HIGH: "A shorter SLA.",
        Priority.URGENT: "The shortest SLA.",
    },
)
graphql_enum(
    TicketChannel,
    "TicketChannel",
    "Where the customer raised the ticket.",
    {
        TicketChannel.WEB: "The website's help form.",
        TicketChannel.APP: "The mobile app.",
        TicketChannel.EMAIL: "An email.",
        TicketChannel.PHONE: "A phone call.",
        TicketChannel.CHAT: "A live chat.",
        TicketChannel.STORE: "In a physical store.",
        TicketChannel.SOCIAL: "A social network.",
    },
)
graphql_enum(
    FeedbackKind,
    "FeedbackKind",
    "What kind of feedback it is.",
    {
        FeedbackKind.SUGGESTION: "An idea for the product or service.",
        FeedbackKind.COMPLAINT: "Something went wrong (a logged-in customer's opens a ticket).",
        FeedbackKind.COMPLIMENT: "Praise.",
        FeedbackKind.QUESTION: "A question.",
    },
)
graphql_enum(
    SentimentBucket,
    "Sentiment",
    "A text's sentiment, by VADER's customary thresholds on its compound score.",
    {
        SentimentBucket.POSITIVE: "Compound score 0.05 or more.",
        SentimentBucket.NEUTRAL: "Between -0.05 and 0.05.",
        SentimentBucket.NEGATIVE: "Compound score -0.05 or less.",
    },
)
graphql_enum(
    ArticleLanguage,
    "ArticleLanguage",
    "An article's language, which chooses how its words are searched.",
    {
        ArticleLanguage.EN: "English (stemmed, English stop words).",
        ArticleLanguage.FR: "French (stemmed, French stop words).",
        ArticleLanguage.OTHER: "Any other language: words matched as written (no stemming).",
    },
)
graphql_enum(
    ArticleStatus,
    "ArticleStatus",
    "Where an article is in its life.",
    {
        ArticleStatus.DRAFT: "Being written; staff only.",
        ArticleStatus.PUBLISHED: "Readable by everyone.",
        ArticleStatus.ARCHIVED: "Withdrawn for good; staff only.",
    },
)
graphql_enum(
    SlaClock,
    "SlaClock",
    "FIRST_RESPONSE runs until an agent's first public reply; RESOLUTION until the ticket is "
    "resolved. Both pause on hold.",
    {
        SlaClock.FIRST_RESPONSE: "Runs until an agent's first public reply.",
        SlaClock.RESOLUTION: "Runs until the ticket is resolved.",
    },
)
graphql_enum(
    TimelineKind,
    "TicketStepKind",
    "What happened at a step of a ticket.",
    {
        TimelineKind.OPENED: "The ticket was raised.",
        TimelineKind.ASSIGNED: "An agent was assigned (staff only).",
        TimelineKind.REPLIED: "A public reply, by the customer or an agent.",
        TimelineKind.NOTE_ADDED: "An internal note (staff only).",
        TimelineKind.PRIORITY_CHANGED: "The priority changed (staff only).",
        TimelineKind.ESCALATED: "The ticket was escalated (staff only).",
        TimelineKind.PUT_ON_HOLD: "The ticket was put on hold.",
        TimelineKind.RESUMED: "The ticket came off hold.",
        TimelineKind.RESOLVED: "The ticket was resolved.",
        TimelineKind.REOPENED: "A resolved ticket was reopened.",
        TimelineKind.CLOSED: "The ticket was closed.",
        TimelineKind.SLA_BREACHED: "An SLA clock ran out (staff only).",
    },
)
graphql_enum(
    MetricsGrouping,
    "ServiceMetricsGrouping",
    "How rows are split: by the current agent, category or priority, or by UTC day, ISO week "
    "or month of each figure's own event time.",
    {
        MetricsGrouping.AGENT: "One row per current agent.",
        MetricsGrouping.CATEGORY: "One row per ticket category.",
        MetricsGrouping.PRIORITY: "One row per ticket priority.",
        MetricsGrouping.DAY: "One row per UTC day of each figure's event time.",
        MetricsGrouping.WEEK: "One row per ISO week of each figure's event time.",
        MetricsGrouping.MONTH: "One row per calendar month of each figure's event time.",
    },
)

# --- referrals -----------------------------------------------------------------------------
graphql_enum(
    ReferralStage,
    "ReferralStage",
    "How far a referral went; a reversed referral stays reversed whatever it reached.",
    {
        ReferralStage.REGISTERED: "The invited friend registered.",
        ReferralStage.QUALIFIED: "The friend did what qualifies the referral for a reward.",
        ReferralStage.REWARDED: "The referrer was rewarded.",
        ReferralStage.REVERSED: "The referral was undone, and any reward with it.",
    },
)

# --- privacy -------------------------------------------------------------------------------
graphql_enum(
    ErasureReason,
    "ErasureReason",
    "Why a subject's data is to be erased.",
    {
        ErasureReason.CUSTOMER_REQUEST: "The person asked for it.",
        ErasureReason.CONSENT_WITHDRAWN: "The consent the data was kept under was withdrawn.",
        ErasureReason.ACCOUNT_CLOSED: "The customer's account was closed.",
        ErasureReason.LEGAL_OBLIGATION: "The law requires it.",
        ErasureReason.OTHER: "Any other reason.",
    },
)
graphql_enum(
    SubjectKind,
    "ErasureSubjectKind",
    "CUSTOMER: a registered customer. INVITEE: a person a referrer invited by email (who may "
    "never have registered).",
    {
        SubjectKind.CUSTOMER: "A registered customer.",
        SubjectKind.INVITEE: "A person a referrer invited by email, or who gave feedback "
        "anonymously with it (who may never have registered).",
    },
)
graphql_enum(
    ErasureStatus,
    "ErasureStatus",
    "Where an erasure request is. PENDING: requested. ERASING: completion began but did not "
    "finish (its keys may already be destroyed while read models still hold copies): "
    "completeErasure again, or the worker within a few minutes, finishes it. COMPLETED: done.",
    {
        ErasureStatus.PENDING: "Requested, not yet carried out.",
        ErasureStatus.ERASING: "Completion began but did not finish: completeErasure again, or "
        "the worker within a few minutes, finishes it.",
        ErasureStatus.COMPLETED: "Done: keys destroyed and read models cleared.",
    },
)


# --- enums of the API's own (the domain keeps these as plain values) -----------------------
class OnboardingState(Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


graphql_enum(
    OnboardingState,
    "OnboardingState",
    "How far a customer is with onboarding.",
    {
        OnboardingState.NOT_STARTED: "No onboarding step done yet.",
        OnboardingState.IN_PROGRESS: "Some onboarding steps done, not all.",
        OnboardingState.COMPLETED: "Every onboarding step done.",
    },
)


class NpsCategory(Enum):
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


graphql_enum(
    NpsCategory,
    "NpsCategory",
    "Where an NPS score falls: promoter 9-10, passive 7-8, detractor 0-6.",
    {
        NpsCategory.PROMOTER: "A score of 9 or 10.",
        NpsCategory.PASSIVE: "A score of 7 or 8.",
        NpsCategory.DETRACTOR: "A score of 0 to 6.",
    },
)

# --- notifications -------------------------------------------------------------------------
graphql_enum(
    DeliveryStatus,
    "DeliveryStatus",
    "Where a message's delivery stands.",
    {
        DeliveryStatus.PENDING: "Waiting for its first try, or for the next after a transient "
        "failure (SMS and push links wait here for a sender of their own).",
        DeliveryStatus.SENDING: "Handed to the SMTP server, not yet confirmed; a crash here "
        "sends it once more with the same Message-ID.",
        DeliveryStatus.SENT: "Accepted by the SMTP server.",
        DeliveryStatus.FAILED: "Refused for good (5xx) or out of tries; an admin may retry it.",
        DeliveryStatus.CANCELLED: "Its recipient was erased: never sent.",
    },
)
graphql_enum(
    NotificationKind,
    "NotificationKind",
    "What a message to a person is.",
    {
        NotificationKind.SURVEY_INVITATION: "An invitation to answer a survey.",
        NotificationKind.PASSWORD_RESET: "A link to reset a password.",
        NotificationKind.EMAIL_CHANGE_CONFIRMATION: "A link to confirm a new email address.",
        NotificationKind.REGISTRATION_ATTEMPTED: "A notice that someone tried to register "
        "with an address that already has an account.",
        NotificationKind.REFERRAL_INVITATION: "A referrer's invitation to a friend.",
        NotificationKind.PROMOTER_THANKS: "A thank-you for a promoter's answer, maybe with "
        "their referral code.",
        NotificationKind.TICKET_PROGRESS: "News of the customer's ticket: an agent's reply, "
        "waiting on them, resolved.",
        NotificationKind.IMPROVEMENT_NOTICE: "News of an improvement made on what the "
        "customer's feedback was about.",
        NotificationKind.ORDER_PROGRESS: "News of the customer's order: paid, packed, "
        "shipped (with its carrier and expected day), delivered, returned.",
        NotificationKind.CAMPAIGN_MESSAGE: "A marketing campaign's email, personalised for "
        "its recipient.",
    },
)

# --- campaigns -------------------------------------------------------------------------------
graphql_enum(
    CampaignStatus,
    "CampaignStatus",
    "Where a campaign is.",
    {
        CampaignStatus.DRAFT: "Drafted; not yet scheduled or launched.",
        CampaignStatus.SCHEDULED: "The sender launches it at its scheduled time.",
        CampaignStatus.SENDING: "Launched: the sender is deciding its recipients batch by batch.",
        CampaignStatus.CANCELLED: "An admin cancelled it: no further batch is decided.",
        CampaignStatus.COMPLETED: "Every member of its audience was decided.",
    },
)
graphql_enum(
    SkipReason,
    "CampaignSkipReason",
    "Why a member of a campaign's segment got no message.",
    {
        SkipReason.NO_MARKETING_CONSENT: "They have not consented to marketing (or withdrew).",
        SkipReason.EMAIL_OPTED_OUT: "They have not opted in to email (or turned it off).",
        SkipReason.FREQUENCY_CAP: "They had as many campaign messages as the cap allows in the "
        "rolling window.",
    },
)


class ReferralFunnelGranularity(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


graphql_enum(
    ReferralFunnelGranularity,
    "ReferralFunnelGranularity",
    "The length of one trend period.",
    {
        ReferralFunnelGranularity.DAY: "One period per UTC day.",
        ReferralFunnelGranularity.WEEK: "One period per ISO week.",
        ReferralFunnelGranularity.MONTH: "One period per calendar month.",
    },
)


class Weekday(Enum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


graphql_enum(
    Weekday,
    "Weekday",
    "A day of the week.",
    {day: f"{day.name.capitalize()}." for day in Weekday},
)


class AuditProblem(Enum):
    ALTERED = "altered"
    MISSING = "missing"
    UNCHAINED = "unchained"
    UNKEYED = "unkeyed"
    ANCHOR_MISMATCH = "anchor_mismatch"


graphql_enum(
    AuditProblem,
    "AuditProblem",
    "How the stored log disagrees with its chain.",
    {
        AuditProblem.ALTERED: "A row or its link changed.",
        AuditProblem.MISSING: "A row is gone.",
        AuditProblem.UNCHAINED: "A row has no link, e.g. a forged insert.",
        AuditProblem.UNKEYED: "A link made without the audit key: the chain was recomputed by "
        "someone who lacks it.",
        AuditProblem.ANCHOR_MISMATCH: "The log up to the anchor's position differs from what "
        "the anchor vouches for.",
    },
)


# --- customer success ---------------------------------------------------------------------
graphql_enum(
    HealthBand,
    "HealthBand",
    "Where a customer's health score lies.",
    {
        HealthBand.HEALTHY: "Score 70 or more.",
        HealthBand.WATCH: "Score 40 to 69: worth watching.",
        HealthBand.AT_RISK: "Score under 40: at risk of leaving.",
    },
)
graphql_enum(
    SuccessPlanStatus,
    "SuccessPlanStatus",
    "Where a success plan is.",
    {
        SuccessPlanStatus.OPEN: "Under way: takes goals, milestones and check-ins.",
        SuccessPlanStatus.CLOSED: "Closed with an outcome; takes nothing more.",
    },
)
graphql_enum(
    SuccessPlanOutcome,
    "SuccessPlanOutcome",
    "How a success plan ended.",
    {
        SuccessPlanOutcome.ACHIEVED: "Its goals were met.",
        SuccessPlanOutcome.ABANDONED: "It was given up.",
    },
)

__all__ = [
    "ArticleLanguage",
    "ArticleStatus",
    "AuditProblem",
    "CapPeriod",
    "ConsentDecision",
    "ConsentPurpose",
    "ContactChannel",
    "DeliveryStatus",
    "Dimension",
    "ErasureReason",
    "ErasureStatus",
    "FeedbackKind",
    "HealthBand",
    "LoyaltyTier",
    "MetricsGrouping",
    "NotificationKind",
    "NpsCategory",
    "OnboardingState",
    "Priority",
    "PurchaseChannel",
    "ReferralFunnelGranularity",
    "ReferralStage",
    "RewardKind",
    "RuleDimension",
    "RuleKind",
    "SentimentBucket",
    "SlaClock",
    "SubjectKind",
    "SuccessPlanOutcome",
    "SuccessPlanStatus",
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
