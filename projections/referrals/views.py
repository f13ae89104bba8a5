"""The shapes the referral read model answers with (shared by its queries and the GraphQL types).

Times are timezone-aware. A rate is a percentage (0-100 as a float) and None over nothing,
never 0. ``email`` is the clear text of an invited friend's address, None once that friend (a
data subject of their own) is erased; who may see it is the API's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

Granularity = Literal["day", "week", "month"]


class ReferralStage(StrEnum):
    """How far a referral went; a reversed referral stays reversed whatever it reached."""

    REGISTERED = "registered"
    QUALIFIED = "qualified"
    REWARDED = "rewarded"
    REVERSED = "reversed"


@dataclass(frozen=True, slots=True)
class ReferralView:
    """One converted friend: who referred them, with which code, and what became of it."""

    seq: int
    """Log position of the conversion: the paging cursor."""
    referral_id: UUID
    referrer_id: UUID
    """The referrer's customer id."""
    friend_id: UUID
    """The friend's customer id."""
    code: str
    converted_at: datetime
    qualified_at: datetime | None
    qualifying_order_id: str | None
    rewarded_at: datetime | None
    referrer_points: int | None
    """Points the reward gave the referrer (None: not rewarded)."""
    friend_points: int | None
    reversed_at: datetime | None
    reversal_rule: str | None
    """The fraud rule that reversed it (``disposable_domain``, ...)."""
    flags: list[str]
    """Suspicious patterns recorded at conversion or later (``velocity``, ...)."""

    @property
    def stage(self) -> ReferralStage:
        if self.reversed_at is not None:
            return ReferralStage.REVERSED
        if self.rewarded_at is not None:
            return ReferralStage.REWARDED
        if self.qualified_at is not None:
            return ReferralStage.QUALIFIED
        return ReferralStage.REGISTERED


@dataclass(frozen=True, slots=True)
class ReferralPage:
    """Newest first; the next page holds the referrals with ``seq`` below the last one."""

    items: list[ReferralView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class InvitationView:
    """An invitation a referrer sent to a friend's email."""

    seq: int
    """Log position of the invitation: the paging cursor."""
    referrer_id: UUID
    """The referrer's customer id."""
    invitee_id: UUID
    """The invited person's data-subject id (one per person, whoever invites them)."""
    email: str | None
    """None once the invited person is erased."""
    invited_at: datetime
    converted: bool
    """The invited person registered and converted with this referrer's code. Matched on the
    email's variant (dots and +tags ignored) at the friend's registration, so a friend who
    registers with another address, or was a customer before being invited, reads False."""


@dataclass(frozen=True, slots=True)
class InvitationPage:
    """Newest first; the next page holds the invitations with ``seq`` below the last one."""

    items: list[InvitationView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class FunnelFigures:
    """The funnel over a period.

    ``invited`` counts invitations sent in the period. The later stages follow the cohort of
    conversions made in the period: ``registered`` is that cohort's size, and ``qualified``,
    ``rewarded``, ``reversed`` and ``flagged`` count its members that reached that stage by
    now, whenever they did. So ``qualified`` <= ``registered`` always, but ``registered`` may
    exceed ``invited`` (codes are shared without invitations too)."""

    invited: int
    registered: int
    qualified: int
    rewarded: int
    reversed: int
    flagged: int
    registration_rate: float | None
    """registered / invited, as a percentage (may exceed 100, see above)."""
    qualification_rate: float | None
    """qualified / registered, as a percentage."""
    reward_rate: float | None
    """rewarded / registered, as a percentage."""


@dataclass(frozen=True, slots=True)
class FunnelBucket:
    """The funnel of one day, week (from Monday) or month, in the asked time zone."""

    period_start: datetime
    """The bucket's first instant, timezone-aware in the asked time zone."""
    figures: FunnelFigures


@dataclass(frozen=True, slots=True)
class TopReferrerView:
    """A referrer's results over a period (conversions made in it, as in FunnelFigures)."""

    referrer_id: UUID
    conversions: int
    qualified: int
    rewarded: int
    reversed: int
    points_earned: int
    """Points the referrer kept from these referrals: rewards not reversed."""


@dataclass(frozen=True, slots=True)
class ReferrerView:
    """A customer's referral code and their totals (all time)."""

    customer_id: UUID
    code: str
    code_expires_at: datetime
    revoked: bool
    issued_at: datetime
    invitations_sent: int
    conversions: int
    qualified: int
    rewarded: int
    reversed: int
    points_earned: int
    """Points kept from referrals: referrer rewards not reversed."""
