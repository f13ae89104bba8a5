"""Events -> the customer health read model.

Every write is keyed, and a customer's figures are recounted from this read model's own rows
(tickets, answers, interactions) after each run of changes, so applying an event a second time
leaves the same rows. Events are folded (see ``projections.success.changes``).
It reads no personal value, so an erasure changes nothing here: the score is ids and numbers.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.feedback.model import Feedback
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.model import Purchase
from domain.referral.model import Referrer
from domain.review.model import Review
from domain.success.engagement import Interaction, interaction_key
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind, nps_category
from domain.ticket.model import Ticket
from projections.base import Projection, folds
from projections.success.changes import HealthChanges, InteractionStep, TicketStep
from projections.success.schema import DDL, TABLES

PROJECTION_NAME = "customer_health"


class CustomerHealth(Projection):
    """Per customer: the last purchase, the latest two NPS answers, open and breached tickets,
    detractor answers, survey answers and their other interactions by kind; and the points of
    the score that do not age."""

    name = PROJECTION_NAME
    version = 2
    reads_personal_data = False
    tables = TABLES
    ddl = DDL

    def changes(self) -> HealthChanges:
        return HealthChanges(loading=self.loading)

    # Every event here is folded (``projections.success.changes``): a batch's rows go in with
    # one statement per table, and each customer's figures are counted once a batch.
    @folds(Purchase.Recorded)
    def purchased(self, changes: HealthChanges, event: Purchase.Recorded, position: int) -> None:
        changes.purchased(event.customer_id, event.purchased_at, position)

    @folds(Invitation.Responded)
    def responded(self, changes: HealthChanges, event: Invitation.Responded, position: int) -> None:
        nps = event.score if event.kind == SurveyKind.NPS.value else None
        complaint = nps is not None and nps_category(nps) == "detractor"
        changes.answer(event.originator_id, event.customer_id, position, nps, complaint)

    @folds(Ticket.Opened)
    def ticket_opened(self, changes: HealthChanges, event: Ticket.Opened, position: int) -> None:
        if event.customer_id is None:
            return  # an anonymous requester's ticket: no customer's health
        changes.tickets.append(TicketStep(event.originator_id, position, event.customer_id))

    @folds(Ticket.Resolved)
    def ticket_resolved(
        self, changes: HealthChanges, event: Ticket.Resolved, position: int
    ) -> None:
        changes.tickets.append(TicketStep(event.originator_id, position, open=False))

    @folds(Ticket.Closed)
    def ticket_closed(self, changes: HealthChanges, event: Ticket.Closed, position: int) -> None:
        changes.tickets.append(TicketStep(event.originator_id, position, open=False))

    @folds(Ticket.Reopened)
    def ticket_reopened(
        self, changes: HealthChanges, event: Ticket.Reopened, position: int
    ) -> None:
        changes.tickets.append(TicketStep(event.originator_id, position, open=True))

    @folds(Ticket.SlaBreached)
    def sla_breached(
        self, changes: HealthChanges, event: Ticket.SlaBreached, position: int
    ) -> None:
        changes.tickets.append(TicketStep(event.originator_id, position, breached=True))

    @folds(Review.Written)
    def reviewed(self, changes: HealthChanges, event: Review.Written, position: int) -> None:
        _interaction(changes, event, Interaction.REVIEW, position, customer_id=event.customer_id)

    @folds(Feedback.Submitted)
    def feedback(self, changes: HealthChanges, event: Feedback.Submitted, position: int) -> None:
        if event.customer_id is None:
            return  # anonymous feedback: no customer's health
        _interaction(changes, event, Interaction.FEEDBACK, position, customer_id=event.customer_id)

    @folds(Referrer.CodeIssued)
    def code_issued(
        self, changes: HealthChanges, event: Referrer.CodeIssued, position: int
    ) -> None:
        changes.own(event.originator_id, event.customer_id, position)

    @folds(Referrer.FriendInvited)
    def invited(self, changes: HealthChanges, event: Referrer.FriendInvited, position: int) -> None:
        _interaction(
            changes, event, Interaction.FRIEND_INVITED, position, stream_id=event.originator_id
        )

    @folds(LoyaltyAccount.Enrolled)
    def enrolled(
        self, changes: HealthChanges, event: LoyaltyAccount.Enrolled, position: int
    ) -> None:
        changes.own(event.originator_id, event.customer_id, position)

    @folds(LoyaltyAccount.PointsRedeemed)
    def redeemed(
        self, changes: HealthChanges, event: LoyaltyAccount.PointsRedeemed, position: int
    ) -> None:
        _interaction(
            changes, event, Interaction.REDEMPTION, position, stream_id=event.originator_id
        )


def _interaction(
    changes: HealthChanges,
    event: Any,
    kind: Interaction,
    position: int,
    *,
    customer_id: UUID | None = None,
    stream_id: UUID | None = None,
) -> None:
    """One of a customer's interactions, keyed by the event that recorded it (so counted once):
    of ``customer_id``, or of the customer whose stream ``stream_id`` is."""
    key = interaction_key(event.originator_id, event.originator_version)
    changes.interactions.append(InteractionStep(key, kind, position, customer_id, stream_id))
