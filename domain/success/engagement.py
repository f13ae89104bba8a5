"""The customer's own interactions that count towards the engagement component of the health
score, beside survey answers (which the score's other components read too, so they are kept
with the answers): the kinds, and the key that makes each one count once.

Which customer an interaction is theirs: a review's author (``Review.Written.customer_id``),
feedback's sender when it names a customer (``Feedback.Submitted.customer_id``; anonymous
feedback counts for no one), a referrer's invitation (the customer of the referrer's
``CodeIssued``), a loyalty redemption (the customer of the account's ``Enrolled``). A
redemption reversed later still counts: the customer did engage; the reversal is the shop's.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

INTERACTION_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/health-interaction")


class Interaction(StrEnum):
    """A kind of interaction; its value names the count in
    :class:`domain.success.health.HealthInputs`."""

    REVIEW = "reviews"
    FEEDBACK = "feedback"
    FRIEND_INVITED = "friends_invited"
    REDEMPTION = "redemptions"


def interaction_key(originator_id: UUID, originator_version: int) -> UUID:
    """The interaction's key: the event that recorded it (its stream and version), so the same
    event seen again, by the read model or the at-risk reaction, is the same interaction."""
    return uuid5(INTERACTION_NAMESPACE, f"{originator_id}:{originator_version}")
