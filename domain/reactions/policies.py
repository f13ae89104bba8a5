"""The reactions between aggregates, as process managers (see :mod:`domain.reactions.commands`
for why each is exactly once per cause):

- :class:`DetractorFollowUp`: a detractor's answer opens a follow-up ticket;
- :class:`SatisfactionAfterResolution`: a resolved ticket invites its customer to the CSAT
  survey, once per ticket (an anonymous requester's ticket invites no one);
- :class:`PromoterThanks`: a promoter's answer is thanked, with their referral code;
- :class:`TicketProgressNotices`: an agent's public reply, a ticket waiting on the customer and
  a resolved ticket are told to the customer (an anonymous requester, by email);
- :class:`ImprovementNotices`: an announced improvement is told to every customer whose
  feedback was on its aspect or theme;
- :class:`AtRiskTickets`: a customer whose health enters the at-risk band gets a proactive
  ticket, once per entry (off by default).
- :class:`OrderProgressNotices`: each fulfilment step after an order is placed (paid, packed,
  shipped, delivered, returned) is told to its customer.
- :class:`CampaignMessages`: each recorded batch of a campaign's recipients puts their
  personalised messages in the outbox.

Each takes the admin's :class:`ReactionSettings`; a reaction turned off does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.campaign.messages import queue_campaign_messages
from domain.campaign.model import RecipientBatch
from domain.feedback.model import Feedback
from domain.fulfilment.model import TrackedOrder
from domain.improvement.model import Improvement
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import member_of_account
from domain.privacy.erasure import ErasureRequest
from domain.purchase.model import Purchase
from domain.reactions import at_risk, commands
from domain.reactions.model import TicketStep
from domain.reactions.settings import ReactionSettings
from domain.referral.commands import customer_of_referrer
from domain.referral.model import Referrer
from domain.review.model import Review
from domain.shared.application import CommandResult
from domain.shared.process_manager import ProcessManager, reacts_to
from domain.success.engagement import Interaction, interaction_key
from domain.success.watch import HealthWatch
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind, nps_category
from domain.ticket.model import Ticket


class ConfiguredReaction(ProcessManager[Ledger]):
    """A process manager an admin tunes with :class:`ReactionSettings`."""

    def __init__(self, settings: ReactionSettings | None = None) -> None:
        self.settings = settings or ReactionSettings()


class DetractorFollowUp(ConfiguredReaction):
    """A detractor's answer (NPS or CSAT at or below its threshold) opens a follow-up ticket."""

    name = "detractor_follow_up"
    actor_id = "detractor-follow-up"

    def is_detractor(self, answer: Invitation.Responded) -> bool:
        if answer.kind == SurveyKind.NPS.value:
            return answer.score <= self.settings.nps_detractor_max
        if answer.kind == SurveyKind.CSAT.value:
            return answer.score <= self.settings.csat_detractor_max
        return False  # effort scores (CES) measure effort, not (dis)satisfaction

    @reacts_to(Invitation.Responded)
    def responded(self, ledger: Ledger, event: Invitation.Responded) -> CommandResult | None:
        if not self.settings.follow_up_detractors or not self.is_detractor(event):
            return None
        return commands.open_follow_up_ticket(
            ledger, event, self.settings.follow_up_category, self.metadata_for(event)
        )


class SatisfactionAfterResolution(ConfiguredReaction):
    """A resolved ticket invites its customer to the configured CSAT survey, once per ticket."""

    name = "satisfaction_after_resolution"
    actor_id = "satisfaction-after-resolution"

    @reacts_to(Ticket.Resolved)
    def resolved(self, ledger: Ledger, event: Ticket.Resolved) -> CommandResult | None:
        survey_id = self.settings.csat_survey_id
        if not self.settings.csat_after_resolution or survey_id is None:
            return None
        return commands.invite_after_resolution(ledger, event, survey_id, self.metadata_for(event))


class PromoterThanks(ConfiguredReaction):
    """A promoter's NPS answer is thanked (with their referral code, when allowed)."""

    name = "promoter_thanks"
    actor_id = "promoter-thanks"

    @reacts_to(Invitation.Responded)
    def responded(self, ledger: Ledger, event: Invitation.Responded) -> CommandResult | None:
        promoter = event.kind == SurveyKind.NPS.value and event.score >= self.settings.promoter_min
        if not self.settings.thank_promoters or not promoter:
            return None
        return commands.thank_promoter(
            ledger, event, self.settings.promoter_referral_code, self.metadata_for(event)
        )


class TicketProgressNotices(ConfiguredReaction):
    """A ticket's progress (an agent's public reply, waiting on the customer, resolved) is
    told to its customer, once per step."""

    name = "ticket_progress_notices"
    actor_id = "ticket-progress-notices"

    @reacts_to(Ticket.Replied)
    def replied(self, ledger: Ledger, event: Ticket.Replied) -> CommandResult | None:
        if not event.by_agent:
            return None  # the customer's own message: nothing to tell them
        return self._notify(ledger, event, TicketStep.REPLIED)

    @reacts_to(Ticket.PutOnHold)
    def put_on_hold(self, ledger: Ledger, event: Ticket.PutOnHold) -> CommandResult | None:
        return self._notify(ledger, event, TicketStep.WAITING_ON_CUSTOMER)

    @reacts_to(Ticket.Resolved)
    def resolved(self, ledger: Ledger, event: Ticket.Resolved) -> CommandResult | None:
        return self._notify(ledger, event, TicketStep.RESOLVED)

    def _notify(
        self, ledger: Ledger, event: Ticket.Event, step: TicketStep
    ) -> CommandResult | None:
        if not self.settings.ticket_progress:
            return None
        return commands.notify_ticket_progress(ledger, event, step, self.metadata_for(event))


class ImprovementNotices(ConfiguredReaction):
    """An announced improvement is told to each customer of its audience, once each."""

    name = "improvement_notices"
    actor_id = "improvement-notices"

    @reacts_to(Improvement.AudienceRecorded)
    def audience_recorded(
        self, ledger: Ledger, event: Improvement.AudienceRecorded
    ) -> CommandResult | None:
        if not self.settings.improvements:
            return None
        return commands.notify_improvement(ledger, event, self.metadata_for(event))


class AtRiskTickets(ConfiguredReaction):
    """Keeps each customer's health watch from the events the score is made of, and opens a
    proactive ticket when the customer enters the at-risk band (see
    :mod:`domain.reactions.at_risk`). Off (``at_risk_tickets``, the default) it passes over
    the events like every reaction turned off: no watch is kept, so turning it on judges each
    customer by the events that come after."""

    name = "at_risk_tickets"
    actor_id = "at-risk-tickets"

    def _watch(
        self, ledger: Ledger, event: Any, customer_id: Any, change: Callable[[HealthWatch], None]
    ) -> CommandResult | None:
        if not self.settings.at_risk_tickets:
            return None
        return at_risk.watch_health(
            ledger, customer_id, change, event.timestamp, True, self.metadata_for(event)
        )

    @reacts_to(Purchase.Recorded)
    def purchased(self, ledger: Ledger, event: Purchase.Recorded) -> CommandResult | None:
        at = event.purchased_at
        return self._watch(ledger, event, event.customer_id, lambda w: w.see_purchase(at))

    @reacts_to(Invitation.Responded)
    def responded(self, ledger: Ledger, event: Invitation.Responded) -> CommandResult | None:
        nps = event.score if event.kind == SurveyKind.NPS.value else None
        complaint = nps is not None and nps_category(nps) == "detractor"
        response = event.originator_id
        return self._watch(
            ledger, event, event.customer_id, lambda w: w.see_answer(response, nps, complaint)
        )

    @reacts_to(Ticket.Opened)
    def ticket_opened(self, ledger: Ledger, event: Ticket.Opened) -> CommandResult | None:
        return self._ticket(ledger, event, event.customer_id, open_=True, breached=None)

    @reacts_to(Ticket.Resolved)
    def ticket_resolved(self, ledger: Ledger, event: Ticket.Resolved) -> CommandResult | None:
        return self._ticket(ledger, event, None, open_=False, breached=None)

    @reacts_to(Ticket.Closed)
    def ticket_closed(self, ledger: Ledger, event: Ticket.Closed) -> CommandResult | None:
        return self._ticket(ledger, event, None, open_=False, breached=None)

    @reacts_to(Ticket.Reopened)
    def ticket_reopened(self, ledger: Ledger, event: Ticket.Reopened) -> CommandResult | None:
        return self._ticket(ledger, event, None, open_=True, breached=None)

    @reacts_to(Ticket.SlaBreached)
    def sla_breached(self, ledger: Ledger, event: Ticket.SlaBreached) -> CommandResult | None:
        return self._ticket(ledger, event, None, open_=None, breached=True)

    @reacts_to(Review.Written)
    def reviewed(self, ledger: Ledger, event: Review.Written) -> CommandResult | None:
        return self._interaction(ledger, event, event.customer_id, Interaction.REVIEW)

    @reacts_to(Feedback.Submitted)
    def feedback(self, ledger: Ledger, event: Feedback.Submitted) -> CommandResult | None:
        if event.customer_id is None:
            return None  # anonymous feedback: no customer's health
        return self._interaction(ledger, event, event.customer_id, Interaction.FEEDBACK)

    @reacts_to(Referrer.FriendInvited)
    def invited(self, ledger: Ledger, event: Referrer.FriendInvited) -> CommandResult | None:
        if not self.settings.at_risk_tickets:
            return None
        customer_id = customer_of_referrer(ledger, event.originator_id)
        return self._interaction(ledger, event, customer_id, Interaction.FRIEND_INVITED)

    @reacts_to(LoyaltyAccount.PointsRedeemed)
    def redeemed(
        self, ledger: Ledger, event: LoyaltyAccount.PointsRedeemed
    ) -> CommandResult | None:
        if not self.settings.at_risk_tickets:
            return None
        customer_id = member_of_account(ledger, event.originator_id)
        return self._interaction(ledger, event, customer_id, Interaction.REDEMPTION)

    @reacts_to(ErasureRequest.Completed)
    def erased(self, ledger: Ledger, event: ErasureRequest.Completed) -> None:
        if not self.settings.at_risk_tickets:
            return
        for subject in (event.subject_id, *event.also_erased):
            at_risk.stop_watching(ledger, subject, self.metadata_for(event))

    def _interaction(
        self, ledger: Ledger, event: Any, customer_id: Any, kind: Interaction
    ) -> CommandResult | None:
        key = interaction_key(event.originator_id, event.originator_version)
        return self._watch(ledger, event, customer_id, lambda w: w.see_interaction(kind, key))

    def _ticket(
        self,
        ledger: Ledger,
        event: Ticket.Event,
        customer_id: Any,
        *,
        open_: bool | None,
        breached: bool | None,
    ) -> CommandResult | None:
        ticket_id = event.originator_id
        if customer_id is None:  # a step of the ticket: whose it is, from the ticket
            customer_id = ledger.get_ticket(ticket_id).customer_id
        if customer_id is None:
            return None  # an anonymous requester's ticket: no customer's health
        return self._watch(
            ledger,
            event,
            customer_id,
            lambda w: w.see_ticket(ticket_id, open_=open_, breached=breached),
        )


class OrderProgressNotices(ConfiguredReaction):
    """An order's fulfilment steps after its placing are told to its customer, once per step
    (the shop confirms the order itself)."""

    name = "order_progress_notices"
    actor_id = "order-progress-notices"

    @reacts_to(TrackedOrder.Stepped)
    def stepped(self, ledger: Ledger, event: TrackedOrder.Stepped) -> CommandResult | None:
        if not self.settings.order_progress:
            return None
        return commands.notify_order_step(ledger, event, self.metadata_for(event))


class CampaignMessages(ConfiguredReaction):
    """Each recorded batch of a campaign's recipients puts their messages in the outbox, once
    per (campaign, customer); a cancelled campaign's later batches put none."""

    name = "campaign_messages"
    actor_id = "campaign-messages"

    @reacts_to(RecipientBatch.Recorded)
    def batch_recorded(self, ledger: Ledger, event: RecipientBatch.Recorded) -> CommandResult:
        return queue_campaign_messages(ledger, event, self.metadata_for(event))


REACTIONS: tuple[type[ConfiguredReaction], ...] = (
    DetractorFollowUp,
    SatisfactionAfterResolution,
    PromoterThanks,
    TicketProgressNotices,
    ImprovementNotices,
    AtRiskTickets,
    OrderProgressNotices,
    CampaignMessages,
)
