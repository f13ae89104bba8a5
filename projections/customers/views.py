"""The shapes the customer read model answers with (Customer 360).

Shared by the projection's queries and the GraphQL types. Personal fields are None once the
subject is erased; money is in minor units of its currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

OnboardingState = Literal["not_started", "in_progress", "completed"]


@dataclass(frozen=True, slots=True)
class AddressView:
    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    country: str


@dataclass(frozen=True, slots=True)
class ContactPreferenceView:
    """Whether the customer may be contacted through ``channel`` (email, sms, push)."""

    channel: str
    opted_in: bool
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class ConsentView:
    """The current state of one consent purpose (marketing, testimonials, research)."""

    purpose: str
    given: bool
    decision: str
    """given, withdrawn, or refused (a no without an earlier yes)."""
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """One entry of the consent history: who changed what, when, through which channel."""

    purpose: str
    given: bool
    decision: str
    changed_at: datetime
    actor_id: str
    actor_role: str
    channel: str
    position: int


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    """Purchases in one currency: how many, gross and refunded amounts (minor units)."""

    currency: str
    purchases: int
    gross_minor: int
    refunded_minor: int

    @property
    def net_minor(self) -> int:
        return self.gross_minor - self.refunded_minor


@dataclass(frozen=True, slots=True)
class PurchaseSummary:
    """Recency, frequency and monetary figures: ``recency_days`` since the last purchase (as
    of the query), ``frequency`` purchases in all, ``totals`` per currency."""

    count: int
    totals: list[CurrencyTotal]
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    channels: list[str]
    recency_days: int | None
    frequency: int


@dataclass(frozen=True, slots=True)
class OnboardingStepView:
    step: str
    completed_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerProfileView:
    """Profile fields beyond the directory row."""

    address: AddressView | None
    language: str | None
    birth_year: int | None


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """Filters of `customers(...)`; each is backed by an index. ``search`` is a prefix of
    the name or the email (case-insensitive) and reveals personal data: staff only."""

    region: str | None = None
    channel: str | None = None
    last_purchase_before: datetime | None = None
    last_purchase_after: datetime | None = None
    onboarding: OnboardingState | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class Customer360Parts:
    """Everything about one customer besides the directory row (`CustomerView`)."""

    customer_id: UUID
    profile: CustomerProfileView
    preferences: list[ContactPreferenceView] = field(default_factory=list)
    consents: list[ConsentView] = field(default_factory=list)
    purchases: PurchaseSummary | None = None
    onboarding: list[OnboardingStepView] = field(default_factory=list)
    onboarding_state: OnboardingState = "not_started"
