"""What an admin may turn off or tune in the reactions (``CXL_REACTION_*`` settings).

A plain value handed to the process managers by the composition root: the domain reads no
environment. A reaction turned off passes over the events it follows (its position still
moves on), so turning it on again reacts to new events only, never to a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ReactionSettings:
    """The switches and thresholds of the reactions."""

    follow_up_detractors: bool = True
    """Open a follow-up ticket for a detractor's answer."""
    nps_detractor_max: int = 6
    """An NPS answer at or below this (0-10) is a detractor's."""
    csat_detractor_max: int = 2
    """A CSAT answer at or below this (1-5) is a detractor's."""
    follow_up_category: str = "survey-follow-up"
    """The category of follow-up tickets (a lower-case slug)."""
    csat_after_resolution: bool = True
    """Invite the customer to ``csat_survey_id`` when their ticket is resolved."""
    csat_survey_id: UUID | None = None
    """The published CSAT survey a resolved ticket invites to; None: no invitation."""
    thank_promoters: bool = True
    """Thank a promoter for their answer."""
    promoter_min: int = 9
    """An NPS answer at or above this (0-10) is a promoter's."""
    promoter_referral_code: bool = True
    """Whether the referral program is on for thank-yous: include the promoter's referral
    code (issuing one if needed) when they consented to marketing."""
    ticket_progress: bool = True
    """Tell customers of their tickets' progress (a public reply, on hold, resolved)."""
    improvements: bool = True
    """Tell customers of an improvement announced on what their feedback was about."""
    at_risk_tickets: bool = False
    """Open a proactive ticket when a customer's health enters the at-risk band."""
    order_progress: bool = True
    """Tell customers of their orders' fulfilment steps (paid, packed, shipped, delivered,
    returned)."""
