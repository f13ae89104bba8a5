"""The HealthWatch aggregate the at-risk reaction keeps: facts are keyed (seeing one twice
changes nothing), the band is rated at a given time, entries into at risk are counted, and a
ticket is due only for an entry made while the reaction was on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.shared.metadata import Channel, EventMetadata, Role, acting_as
from domain.success.engagement import Interaction
from domain.success.watch import HealthWatch

NOW = datetime(2026, 12, 4, tzinfo=UTC)
SYSTEM = EventMetadata("at-risk-tickets", Role.SYSTEM, Channel.SYSTEM)


def lapsed_watch() -> HealthWatch:
    with acting_as(SYSTEM):
        watch = HealthWatch.start(uuid4())
        watch.see_purchase(NOW - timedelta(days=700))
    return watch


def test_seeing_the_same_answer_or_ticket_state_twice_adds_nothing() -> None:
    """A redelivered event records no second fact."""
    watch = lapsed_watch()
    response, ticket = uuid4(), uuid4()
    with acting_as(SYSTEM):
        for _ in range(2):
            watch.see_answer(response, 2, complaint=True)
            watch.see_ticket(ticket, open_=True, breached=None)
            watch.see_purchase(NOW - timedelta(days=700))
    inputs = watch.inputs(NOW)
    assert (inputs.survey_answers, inputs.complaints, inputs.open_tickets) == (1, 1, 1)
    assert len(watch.collect_events()) == 4  # started, purchase, answer, ticket


def test_interactions_count_by_kind_and_once_per_key() -> None:
    """Each kind lands in its own count; the same key seen again records nothing."""
    watch = lapsed_watch()
    watch.collect_events()
    keys = [uuid4() for _ in range(5)]
    kinds = [
        Interaction.REVIEW,
        Interaction.FEEDBACK,
        Interaction.FRIEND_INVITED,
        Interaction.FRIEND_INVITED,
        Interaction.REDEMPTION,
    ]
    with acting_as(SYSTEM):
        for _ in range(2):
            for kind, key in zip(kinds, keys, strict=True):
                watch.see_interaction(kind, key)
    inputs = watch.inputs(NOW)
    counts = (inputs.reviews, inputs.feedback, inputs.friends_invited, inputs.redemptions)
    assert counts == (1, 1, 2, 1)
    assert len(watch.collect_events()) == 5


def test_a_step_of_a_ticket_never_seen_opened_is_ignored() -> None:
    """A breach of an unknown ticket (opened before the watch existed) counts nothing."""
    watch = lapsed_watch()
    with acting_as(SYSTEM):
        watch.see_ticket(uuid4(), open_=None, breached=True)
    assert watch.inputs(NOW).open_tickets == 0


def test_entries_into_the_band_are_counted_and_due_only_when_on() -> None:
    """Entering at risk counts an entry; leaving and entering again counts another; an entry
    while the reaction is off is not due a ticket."""
    watch = lapsed_watch()
    tickets = [uuid4() for _ in range(3)]
    with acting_as(SYSTEM):
        for ticket in tickets:
            watch.see_ticket(ticket, open_=True, breached=True)
        watch.rate(NOW, tickets_on=False)
        assert (watch.band, watch.entries, watch.ticket_due) == ("at_risk", 1, False)
        for ticket in tickets:
            watch.see_ticket(ticket, open_=False, breached=None)
        watch.rate(NOW, tickets_on=True)
        assert watch.band != "at_risk"
        for ticket in tickets:
            watch.see_ticket(ticket, open_=True, breached=None)
        watch.rate(NOW, tickets_on=True)
        assert (watch.band, watch.entries, watch.ticket_due) == ("at_risk", 2, True)


def drifting_watch() -> HealthWatch:
    """Bought 20 days ago and waits on two breached tickets: 55 points, the watch band; at
    400 days without a purchase, recency falls to 0 and the score to 25, at risk."""
    with acting_as(SYSTEM):
        watch = HealthWatch.start(uuid4())
        watch.see_purchase(NOW - timedelta(days=20))
        for _ in range(2):
            watch.see_ticket(uuid4(), open_=True, breached=True)
        watch.rate(NOW, tickets_on=True)
    assert watch.band == "watch"
    return watch


def test_reassessing_later_moves_a_drifting_customer_into_the_band() -> None:
    """Time alone lowers the recency: the reassessment counts an entry that is due a ticket."""
    watch = drifting_watch()
    with acting_as(SYSTEM):
        watch.reassess(NOW + timedelta(days=380), tickets_on=True)
    assert (watch.band, watch.entries, watch.ticket_due) == ("at_risk", 1, True)
    assert watch.rated_at == NOW + timedelta(days=380)


def test_reassessing_records_nothing_when_the_band_holds() -> None:
    """Still in the watch band 100 days on: no event, no reassessment time."""
    watch = drifting_watch()
    watch.collect_events()
    with acting_as(SYSTEM):
        watch.reassess(NOW + timedelta(days=100), tickets_on=True)
    assert watch.collect_events() == []
    assert watch.rated_at is None


def test_an_event_rated_before_the_reassessment_cannot_take_the_band_back() -> None:
    """A CSAT answer that arrives late, stamped before the reassessment, is rated at the
    reassessment's time (rated at its own, a fresh purchase would lift the band back to
    watch, and the next reassessment would count a second entry and open a second ticket)."""
    watch = drifting_watch()
    later = NOW + timedelta(days=380)
    with acting_as(SYSTEM):
        watch.reassess(later, tickets_on=True)
        watch.see_answer(uuid4(), None, complaint=False)
        watch.rate(NOW + timedelta(days=1), tickets_on=True)
        assert (watch.band, watch.entries) == ("at_risk", 1)
        watch.reassess(NOW + timedelta(days=200), tickets_on=True)  # earlier: nothing
    assert watch.rated_at == later
