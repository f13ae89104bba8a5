"""The HealthWatch aggregate: the write side's own copy of a customer's health inputs, kept by
the at-risk reaction (see :class:`domain.reactions.policies.AtRiskTickets`), so that it knows
when the customer enters the at-risk band and opens one proactive ticket per entry.

The read model cannot call commands and a process manager reads no read model, so the watch
keeps what the band needs, from the same events, with keyed facts (a response id once, a
ticket's state by its id, the latest purchase, an interaction by the key of the event that
recorded it), so that an event delivered again changes
nothing. The band is computed at the time of the event that changed an input; a customer who
drifts into the band only as days pass (recency) is caught by the health drift job
(:func:`domain.reactions.at_risk.reassess_health`), which rates the watch at the present. From
then on the watch never rates at an earlier time than the one it was reassessed at, so an
event that arrives late cannot take the band back (and count a second entry). Nothing here is
personal: ids, dates and numbers.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.shared.aggregate import LedgerAggregate
from domain.success.engagement import Interaction
from domain.success.health import Band, HealthInputs, band_of, days_between, health_of

WATCH_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/health-watch")


def watch_id(customer_id: UUID) -> UUID:
    return uuid5(WATCH_NAMESPACE, str(customer_id))


def proactive_ticket_id(customer_id: UUID, entry: int) -> UUID:
    """The ticket of the customer's ``entry``-th entry into the band: one per entry."""
    return uuid5(WATCH_NAMESPACE, f"{customer_id}:at-risk:{entry}")


class HealthWatch(LedgerAggregate):
    """What the at-risk reaction knows of one customer's health."""

    class Started(LedgerAggregate.Created):
        customer_id: UUID

        def apply(self, watch: HealthWatch) -> None:
            watch.customer_id = self.customer_id
            watch.last_purchase_at = None
            watch.responses = []
            watch.nps = []
            watch.complaints = 0
            watch.tickets = {}
            watch.band = band_of(health_of(HealthInputs()).score).value
            watch.entries = 0
            watch.ticket_due = False
            watch.erased = False
            watch.rated_at = None
            watch.interactions = {}

    class PurchaseSeen(LedgerAggregate.Event):
        at: datetime

        def apply(self, watch: HealthWatch) -> None:
            if watch.last_purchase_at is None or self.at > watch.last_purchase_at:
                watch.last_purchase_at = self.at

    class AnswerSeen(LedgerAggregate.Event):
        response_id: UUID
        nps: int | None
        complaint: bool

        def apply(self, watch: HealthWatch) -> None:
            watch.responses = [*watch.responses, str(self.response_id)]
            if self.nps is not None:
                watch.nps = [*watch.nps[-1:], self.nps]
            watch.complaints += int(self.complaint)

    class TicketSeen(LedgerAggregate.Event):
        ticket_id: UUID
        open: bool
        breached: bool

        def apply(self, watch: HealthWatch) -> None:
            watch.tickets = {**watch.tickets, str(self.ticket_id): [self.open, self.breached]}

    class InteractionSeen(LedgerAggregate.Event):
        """One of the customer's own interactions that count towards engagement (a review, a
        piece of feedback, a friend invited, a points redemption; see
        :mod:`domain.success.engagement`), by the key of the event that recorded it."""

        kind: str
        key: UUID

        def apply(self, watch: HealthWatch) -> None:
            watch.interactions = {**watch.interactions, str(self.key): self.kind}

    class BandChanged(LedgerAggregate.Event):
        """The band moved; ``entry`` counts the entries into at risk, and ``ticket_due`` says
        whether this one calls for a ticket (the reaction was on)."""

        band: str
        entry: int
        ticket_due: bool

        def apply(self, watch: HealthWatch) -> None:
            watch.band = self.band
            watch.entries = self.entry
            watch.ticket_due = self.ticket_due

    class Reassessed(LedgerAggregate.Event):
        """Time alone moved the band (the health drift job): the watch is rated at ``at`` from
        now on, at the earliest."""

        at: datetime

        def apply(self, watch: HealthWatch) -> None:
            watch.rated_at = self.at

    class Erased(LedgerAggregate.Event):
        """The customer was erased: no ticket is opened for them any more."""

        def apply(self, watch: HealthWatch) -> None:
            watch.erased = True

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    customer_id: UUID
    last_purchase_at: datetime | None
    responses: list[str]
    nps: list[int]
    """The latest two NPS answers, oldest first."""
    complaints: int
    tickets: dict[str, list[bool]]
    """Each ticket's [open, breached]."""
    band: str
    entries: int
    ticket_due: bool
    erased: bool
    interactions: dict[str, str]
    """Each interaction's kind, by its key. (Set by ``Started``, which every load replays: a
    watch takes no snapshots.)"""
    rated_at: datetime | None = None
    """The time of the latest reassessment by the clock; no rating is made before it. (A
    class default too: a snapshot taken before this field existed restores without it.)"""

    @classmethod
    def start(cls, customer_id: UUID) -> HealthWatch:
        return cls._create(cls.Started, id=watch_id(customer_id), customer_id=customer_id)

    def see_purchase(self, at: datetime) -> None:
        if self.last_purchase_at is None or at > self.last_purchase_at:
            self.trigger_event(self.PurchaseSeen, at=at)

    def see_answer(self, response_id: UUID, nps: int | None, complaint: bool) -> None:
        if str(response_id) not in self.responses:
            self.trigger_event(
                self.AnswerSeen, response_id=response_id, nps=nps, complaint=complaint
            )

    def see_ticket(self, ticket_id: UUID, *, open_: bool | None, breached: bool | None) -> None:
        """A ticket's new state (None: unchanged); a ticket never seen opened is ignored,
        unless this is its opening."""
        known = self.tickets.get(str(ticket_id))
        if known is None and open_ is not True:
            return
        was_open, was_breached = known or [False, False]
        state = [
            was_open if open_ is None else open_,
            was_breached if breached is None else breached,
        ]
        if state != known:
            self.trigger_event(
                self.TicketSeen, ticket_id=ticket_id, open=state[0], breached=state[1]
            )

    def see_interaction(self, kind: Interaction, key: UUID) -> None:
        if str(key) not in self.interactions:
            self.trigger_event(self.InteractionSeen, kind=kind.value, key=key)

    def inputs(self, now: datetime) -> HealthInputs:
        open_tickets = [state for state in self.tickets.values() if state[0]]
        kinds = Counter(self.interactions.values())
        return HealthInputs(
            days_since_purchase=days_between(self.last_purchase_at, now),
            latest_nps=self.nps[-1] if self.nps else None,
            previous_nps=self.nps[-2] if len(self.nps) > 1 else None,
            open_tickets=len(open_tickets),
            breached_tickets=sum(1 for state in open_tickets if state[1]),
            complaints=self.complaints,
            survey_answers=len(self.responses),
            reviews=kinds[Interaction.REVIEW.value],
            feedback=kinds[Interaction.FEEDBACK.value],
            friends_invited=kinds[Interaction.FRIEND_INVITED.value],
            redemptions=kinds[Interaction.REDEMPTION.value],
        )

    def rate(self, now: datetime, tickets_on: bool) -> None:
        """Record the band as of ``now`` (or of the last reassessment, if later) if it moved;
        an entry into at risk is counted."""
        if self.rated_at is not None and self.rated_at > now:
            now = self.rated_at
        band = health_of(self.inputs(now)).band
        if band.value == self.band:
            return
        entering = band is Band.AT_RISK
        self.trigger_event(
            self.BandChanged,
            band=band.value,
            entry=self.entries + int(entering),
            ticket_due=entering and tickets_on,
        )

    def reassess(self, now: datetime, tickets_on: bool) -> None:
        """Rate the band as of ``now`` with the facts as they are: time alone only lowers the
        recency, so this can only move the band down. Nothing is recorded unless it moves."""
        if self.erased or (self.rated_at is not None and self.rated_at >= now):
            return
        if health_of(self.inputs(now)).band.value == self.band:
            return
        self.trigger_event(self.Reassessed, at=now)
        self.rate(now, tickets_on)

    def erase(self) -> None:
        if not self.erased:
            self.trigger_event(self.Erased)
