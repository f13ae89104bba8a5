"""Announcing an improvement and the reaction that tells its audience, given-when-then, in
memory."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.improvement.commands import AnnounceImprovement, FeedbackOnTopic
from domain.improvement.errors import UnknownTopicError
from domain.improvement.model import Improvement
from domain.improvement.values import AUDIENCE_CHUNK, MAX_MESSAGE, MAX_THEME, Topic, TopicKind
from domain.ledger import Ledger
from domain.reactions.model import ImprovementNotice
from domain.reactions.policies import ImprovementNotices
from domain.reactions.settings import ReactionSettings
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.events import events_of

ANALYST = EventMetadata(actor_id="analyst-1", actor_role=Role.ANALYST, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def announce(
    ledger: Ledger,
    audience: list[UUID],
    *,
    aspect: str | None = "delivery",
    theme: str | None = None,
    known: bool = True,
    message: str = "Deliveries now arrive the next day.",
    version: str = "2.5.0",
    improvement_id: UUID | None = None,
) -> UUID:
    command = AnnounceImprovement(
        aspect=aspect,
        theme=theme,
        product_version=version,
        message=message,
        feedback=FeedbackOnTopic(known, tuple(audience)),
        improvement_id=improvement_id,
        now=NOW,
    )
    return ledger.announce_improvement(command, ANALYST).aggregate_id


def customer(ledger: Ledger, email: str, *, opted_in: bool = True) -> UUID:
    customer_id = ledger.register_customer(RegisterCustomer("Ada", email), AGENT).aggregate_id
    channels = {ContactChannel.EMAIL: opted_in}
    ledger.set_contact_preferences(SetContactPreferences(customer_id, channels), AGENT)
    return customer_id


def react(ledger: Ledger, improvement_id: UUID, settings: ReactionSettings | None = None) -> None:
    reaction = ImprovementNotices(settings)
    for chunk in events_of(ledger, improvement_id, Improvement.AudienceRecorded):
        reaction.react(ledger, chunk)


# --- the announcement ------------------------------------------------------------------------


def test_an_announcement_records_its_topic_version_message_and_audience(ledger: Ledger) -> None:
    """The announcement keeps what was improved, in which version, and who is told."""
    ada, bea = uuid4(), uuid4()
    improvement = ledger.get_improvement(announce(ledger, [ada, bea, ada]))
    assert improvement.topic == Topic(TopicKind.ASPECT, "delivery")
    assert (improvement.product_version, improvement.announced_at) == ("2.5.0", NOW)
    assert improvement.audience_size == 2  # each customer once
    [chunk] = events_of(ledger, improvement.id, Improvement.AudienceRecorded)
    assert set(chunk.customer_ids) == {ada, bea}


def test_a_large_audience_is_recorded_in_chunks_of_bounded_size(ledger: Ledger) -> None:
    """No event grows with the audience: it is split into chunks, together the audience."""
    audience = [uuid4() for _ in range(AUDIENCE_CHUNK * 2 + 1)]
    improvement_id = announce(ledger, audience)
    chunks = events_of(ledger, improvement_id, Improvement.AudienceRecorded)
    assert [len(c.customer_ids) for c in chunks] == [AUDIENCE_CHUNK, AUDIENCE_CHUNK, 1]
    assert {c for chunk in chunks for c in chunk.customer_ids} == set(audience)


def test_an_unknown_topic_is_refused_naming_it(ledger: Ledger) -> None:
    """A topic no feedback is on (a typo) is UNKNOWN_TOPIC, naming it, and writes nothing."""
    position = ledger.head_position()
    with pytest.raises(UnknownTopicError, match="the theme 'chekout'") as refused:
        announce(ledger, [], aspect=None, theme="Chekout", known=False)
    assert refused.value.code == "UNKNOWN_TOPIC" and refused.value.field == "theme"
    assert ledger.head_position() == position


@pytest.mark.parametrize(
    ("aspect", "theme", "field"),
    [
        (None, None, "aspect"),
        ("delivery", "checkout", "aspect"),
        ("Delivery Speed", None, "aspect"),
        ("a" * 49, None, "aspect"),
        (None, "x" * (MAX_THEME + 1), "theme"),
        (None, "   ", "theme"),
        (None, "check\x00out", "theme"),
    ],
)
def test_the_topic_is_exactly_one_aspect_key_or_theme_within_bounds(
    ledger: Ledger, aspect: str | None, theme: str | None, field: str
) -> None:
    """Neither or both, a malformed key, an overlong, blank or NUL theme: INVALID_INPUT."""
    with pytest.raises(ValidationError) as refused:
        announce(ledger, [uuid4()], aspect=aspect, theme=theme)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("message", "version", "field"),
    [
        ("", "2.5.0", "message"),
        ("x" * (MAX_MESSAGE + 1), "2.5.0", "message"),
        ("bell\x07", "2.5.0", "message"),
        ("Faster.", "", "productVersion"),
        ("Faster.", "v" * 65, "productVersion"),
        ("Faster.", "2.5 beta", "productVersion"),
    ],
)
def test_the_message_and_version_are_bounded(
    ledger: Ledger, message: str, version: str, field: str
) -> None:
    """A blank, overlong or control-character message, a bad version: INVALID_INPUT."""
    with pytest.raises(ValidationError) as refused:
        announce(ledger, [uuid4()], message=message, version=version)
    assert refused.value.field == field


def test_a_longest_message_with_paragraphs_is_kept_as_given(ledger: Ledger) -> None:
    """Paragraphs survive; a message of exactly the limit is accepted."""
    text = "First paragraph.\n" + "y" * (MAX_MESSAGE - len("First paragraph.\n"))
    assert ledger.get_improvement(announce(ledger, [uuid4()], message=text)).message == text


def test_a_retried_announcement_with_its_id_records_nothing_more(ledger: Ledger) -> None:
    """The client's id makes a retry answer the first announcement."""
    chosen = uuid4()
    announce(ledger, [uuid4()], improvement_id=chosen)
    version = ledger.get_improvement(chosen).version
    assert announce(ledger, [uuid4(), uuid4()], improvement_id=chosen) == chosen
    assert ledger.get_improvement(chosen).version == version


# --- the reaction ----------------------------------------------------------------------------


def test_each_customer_of_the_audience_is_told_once(ledger: Ledger) -> None:
    """One notice per (improvement, customer), even when the chunk is delivered again."""
    ada = customer(ledger, "ada@example.org")
    bea = customer(ledger, "bea@example.org")
    improvement_id = announce(ledger, [ada, bea])
    react(ledger, improvement_id)
    react(ledger, improvement_id)
    for person in (ada, bea):
        notice = ImprovementNotice.id_for(improvement_id, person)
        [queued] = events_of(ledger, notice, ImprovementNotice.Queued)
        assert (queued.customer_id, queued.channel) == (person, "email")
        assert queued.message == "Deliveries now arrive the next day."


def test_customers_who_do_not_allow_email_or_refused_research_are_not_told(
    ledger: Ledger,
) -> None:
    """Contact preferences and the research consent are honoured."""
    no_email = customer(ledger, "ada@example.org", opted_in=False)
    no_research = customer(ledger, "bea@example.org")
    ledger.withdraw_consent(no_research, ConsentPurpose.RESEARCH, AGENT)
    improvement_id = announce(ledger, [no_email, no_research])
    react(ledger, improvement_id)
    for person in (no_email, no_research):
        assert ledger.find(ImprovementNotice.id_for(improvement_id, person)) is None


def test_the_reaction_turned_off_tells_nobody(ledger: Ledger) -> None:
    """CXL_REACTION_IMPROVEMENTS=false: the announcement stands, no notice is queued."""
    ada = customer(ledger, "ada@example.org")
    improvement_id = announce(ledger, [ada])
    react(ledger, improvement_id, ReactionSettings(improvements=False))
    assert ledger.find(ImprovementNotice.id_for(improvement_id, ada)) is None
