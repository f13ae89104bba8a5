"""The campaign sender on a real log and read models: each member of the segment is decided
once at send time (queued, or skipped with the reason), a crash in the middle and a restart
queue nobody twice, a cancel in flight stops the sending, and the figures attribute what
followed the message once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import pytest

from domain.campaign import messages as campaign_messages
from domain.campaign.commands import (
    CancelCampaign,
    DraftCampaign,
    LaunchCampaign,
    RecordCampaignRecipients,
    ScheduleCampaign,
    campaign_of,
)
from domain.campaign.messages import (
    CampaignMessage,
    MessageBatch,
    queue_campaign_messages,
    values_for,
)
from domain.campaign.model import RecipientBatch
from domain.customer.commands import SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.commands import Command
from domain.shared.metadata import EventMetadata, acting_as
from infrastructure.database import Database
from infrastructure.delivery.mail_catcher import MailCatcher
from infrastructure.outbox_messages import OutboxMessages
from projections.campaigns.projection import CampaignFigures
from projections.campaigns.queries import figures
from projections.outbox.projection import NotificationOutbox
from projections.outbox.queries import pending_notifications_sync
from projections.recommendations.projection import ProductAffinity
from projections.segments.projection import SegmentMembership
from tests.integration.campaign_world import (
    ADMIN,
    launch,
    now,
    populate,
    recipients,
    sender,
)
from tests.support.delivery import PUBLIC_URL, TOKENS, MovableClock, project_outbox
from tests.support.delivery import sender as mail_sender
from tests.support.event_versions import as_stored_before
from tests.support.outbox import opened
from tests.support.read_models import project, query
from tests.support.surveys import answer_nps

SENDER_METADATA = EventMetadata.system("campaign-messages")


class CrashError(Exception):
    """The process died here."""


class CrashingLedger:
    """The ledger, except that the process dies right after the ``after``-th batch commits."""

    def __init__(self, ledger: Ledger, after: int) -> None:
        self._ledger, self._left = ledger, after

    def handle(self, command: Command[Any], metadata: EventMetadata) -> Any:
        result = self._ledger.handle(command, metadata)
        if isinstance(command, RecordCampaignRecipients):
            self._left -= 1
            if self._left == 0:
                raise CrashError
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ledger, name)


class CancellingLedger(CrashingLedger):
    """The ledger, except that an admin cancels the campaign right after its first batch."""

    def handle(self, command: Command[Any], metadata: EventMetadata) -> Any:
        result = self._ledger.handle(command, metadata)
        if isinstance(command, RecordCampaignRecipients) and command.batch == 0:
            self._ledger.handle(CancelCampaign(command.campaign_id), ADMIN)
        return result


def test_each_member_is_queued_or_skipped_with_the_reason(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Consent and email preference decide at send time; the campaign then completes."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)

    summary = sender(ledger, database).run()
    project(ledger, database, CampaignFigures(), batch_size=50)

    decided = {
        customer: (status, reason) for customer, status, reason in recipients(database, campaign)
    }
    assert decided == {
        **{c: ("queued", None) for c in world.welcome},
        **{c: ("skipped", "no_marketing_consent") for c in world.no_consent},
        **{c: ("skipped", "email_opted_out") for c in world.opted_out},
    }
    assert (summary.queued, summary.skipped, summary.completed) == (5, 2, 1)
    assert campaign_of(ledger, campaign).status.value == "completed"


def test_a_crash_mid_queueing_and_a_restart_queue_each_member_once(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The process dies after the second batch commits; a new sender picks up at the cursor
    the log holds, and every member is in exactly one batch."""
    world = populate(ledger, agent, welcome=9)
    campaign = launch(ledger, database, world)
    crashing = sender(ledger, database)
    crashing.ledger = cast(Ledger, CrashingLedger(ledger, after=2))

    with pytest.raises(CrashError):
        crashing.run()
    sender(ledger, database).run()
    project(ledger, database, CampaignFigures(), batch_size=50)

    batches = _batches(ledger, campaign)
    in_batches = Counter(
        c for b in batches for c in [*b.queued, *(s for ids in b.skipped.values() for s in ids)]
    )
    assert set(in_batches.values()) == {1} and len(in_batches) == 11
    recorded = [c for c, _, _ in recipients(database, campaign)]
    assert None not in recorded and sorted(map(str, recorded)) == sorted(map(str, in_batches))
    assert campaign_of(ledger, campaign).status.value == "completed"


def test_running_the_sender_again_after_it_completed_queues_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A completed campaign is not sent again."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)
    sender(ledger, database).run()
    again = sender(ledger, database).run()
    assert (again.batches, again.queued) == (0, 0)
    assert len(_batches(ledger, campaign)) == 4


def test_a_cancel_in_flight_stops_further_batches(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """An admin's cancel after the first batch: nothing more is decided for it."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)
    cancelling = sender(ledger, database)
    cancelling.ledger = cast(Ledger, CancellingLedger(ledger, after=0))

    summary = cancelling.run()

    assert summary.batches == 1 and summary.completed == 0
    assert len(_batches(ledger, campaign)) == 1
    assert campaign_of(ledger, campaign).status.value == "cancelled"


def test_the_frequency_cap_counts_messages_of_other_campaigns(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """With a cap of one message per window, a second campaign skips those the first reached."""
    world = populate(ledger, agent, welcome=2)
    first = launch(ledger, database, world, "First")
    sender(ledger, database, cap=1).run()
    second = launch(ledger, database, world, "Second")
    sender(ledger, database, cap=1).run()
    project(ledger, database, CampaignFigures(), batch_size=50)

    assert {s for _, s, _ in recipients(database, first)} >= {"queued"}
    assert {(c, r) for c, s, r in recipients(database, second) if s == "queued"} == set()
    capped = {c for c, _, r in recipients(database, second) if r == "frequency_cap"}
    assert capped == set(world.welcome)


def test_a_purchase_and_an_unsubscribe_are_attributed_once_to_the_latest_campaign(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The first purchase in the window converts; a second does not count again; an email
    opt-out after the message is an unsubscribe of that campaign."""
    world = populate(ledger, agent, welcome=2)
    campaign = launch(ledger, database, world)
    sender(ledger, database).run()
    buyer, leaver = world.welcome
    for order in ("A-1", "A-2"):
        ledger.handle(
            RecordPurchase(buyer, order, Decimal("10.00"), "EUR", PurchaseChannel.WEB,
                           now() + timedelta(minutes=1)),
            agent,
        )  # fmt: skip
    ledger.handle(SetContactPreferences(leaver, {ContactChannel.EMAIL: False}), agent)
    project(ledger, database, CampaignFigures(), batch_size=50)

    shown = query(database, lambda conn: figures(conn, campaign))

    assert (shown.recipients, shown.conversions, shown.unsubscribes) == (2, 1, 1)
    assert shown.skipped == {"no_marketing_consent": 1, "email_opted_out": 1}


def test_each_queued_recipient_gets_one_personalised_message_in_the_outbox(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The outbox takes a row per queued recipient straight from the recorded batch; each
    opens, when sent, to a message written with their first name and addressed to them."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)
    sender(ledger, database).run()
    project(ledger, database, NotificationOutbox(), batch_size=50)

    with database.connect() as conn:
        pending = pending_notifications_sync(conn, "campaign_message")
    assert sorted(m.customer_id for m in pending) == sorted(world.welcome)
    by_batch = {(m.cause_position, m.cause_entry): m.customer_id for m in pending}
    assert sorted(by_batch.values()) == sorted(
        c for batch in _batches(ledger, campaign) for c in batch.queued
    )
    first = opened(ledger, pending[0])
    written = json.loads(first.token or "{}")
    name = ledger.get_customer(pending[0].customer_id).name.value or ""
    assert written["subject"] == f"Hi {name.split()[0]}"
    assert first.recipient == f"{name.lower()}@example.org"


def test_a_batch_recorded_now_puts_nothing_personal_in_the_log(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The batch names its recipients by id only, and the ``campaign_messages`` reaction
    writes nothing for it (a batch delivered to it again neither)."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)
    sender(ledger, database).run()
    head = ledger.head_position()
    queue_campaign_messages(ledger, _batches(ledger, campaign)[0], SENDER_METADATA)

    assert ledger.head_position() == head
    [stored] = [
        row for row in ledger.recorder.select_notifications(start=1, limit=head)
        if row.originator_id == RecipientBatch.id_for(campaign, 0)
    ]  # fmt: skip
    assert b"@example.org" not in stored.state and b'"_type_":"pd"' not in stored.state


def test_a_message_is_written_with_the_points_the_recipient_has_when_it_is_sent(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Points earned between the batch and the sending are in the message: it is written
    from the loyalty account as it stands when the delivery takes it."""
    ada = _sent_to_one_member_with(ledger, database, agent, points=10)
    ledger.adjust_points(ada, 25, "goodwill", agent)
    project(ledger, database, NotificationOutbox(), batch_size=50)

    with database.connect() as conn:
        [message] = pending_notifications_sync(conn, "campaign_message")
    assert json.loads(opened(ledger, message).token or "{}")["text"] == "You have 35 points."


def test_a_campaign_message_arrives_by_mail_personalised_with_an_unsubscribe_link(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """From launch to the SMTP server: the subject and text carry the recipient's first name
    and points, with a one-click unsubscribe."""
    ada = _sent_to_one_member_with(ledger, database, agent, points=120)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        summary = mail_sender(ledger, database, catcher.endpoint, MovableClock()).run()
        [mail] = catcher.mailbox.all()

    assert summary.sent == 1 and mail.envelope_to == ("ok0@example.org",)
    assert mail.subject == "Hi Ok0"
    assert "You have 120 points." in mail.body("plain")
    assert mail.message["List-Unsubscribe"] == f"<{PUBLIC_URL}/unsubscribe/{TOKENS.issue(ada)}>"


def test_a_batch_is_read_in_a_few_statements_not_stream_by_stream(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever its size, writing a batch's messages when sent costs the campaign's load and
    one read each of its customers and loyalty accounts (see ``Ledger.find_many``), and so
    does queueing an older batch's (plus its messages' stream): not three per recipient."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)
    sender(ledger, database, batch_size=10).run()
    [batch] = _batches(ledger, campaign)
    streams_read_alone = Counter[str]()
    assert ledger.snapshots is not None  # this ledger snapshots campaigns
    for name, recorder in (("log", ledger.recorder), ("snapshots", ledger.snapshots.recorder)):
        select = recorder.select_events

        def counted(*args: Any, _name: str = name, _select: Any = select, **kwargs: Any) -> Any:
            streams_read_alone[_name] += 1
            return _select(*args, **kwargs)

        monkeypatch.setattr(recorder, "select_events", counted)

    written = campaign_messages.write_when_sent(ledger, batch, range(len(batch.queued)))
    assert streams_read_alone == {"log": 1, "snapshots": 1}  # the campaign, from its snapshot
    queue_campaign_messages(ledger, _older(ledger, batch), SENDER_METADATA)

    assert len(batch.queued) == len(world.welcome) and None not in written.values()
    assert streams_read_alone == {"log": 2, "snapshots": 2}


def test_a_cancel_withdraws_the_messages_not_sent_yet(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The first batch's messages are in the outbox when an admin cancels: the outbox
    withdraws them, and none goes out."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)
    cancelling = sender(ledger, database)
    cancelling.ledger = cast(Ledger, CancellingLedger(ledger, after=0))
    cancelling.run()
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        summary = mail_sender(ledger, database, catcher.endpoint, MovableClock()).run()

    with database.connect() as conn:
        assert pending_notifications_sync(conn, "campaign_message") == []
    assert len(_batches(ledger, campaign)) == 1 and summary.sent == 0


def test_a_message_of_a_campaign_cancelled_after_it_reached_the_outbox_opens_to_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Before the outbox has read the cancel, a delivery taking the message finds the
    campaign cancelled when it writes it, and sends nothing."""
    world = populate(ledger, agent)
    campaign = launch(ledger, database, world)
    # One batch holds the whole segment: a batch of two, in customer-id order (random ids),
    # was now and then the two members who get no message, and nothing reached the outbox.
    crashing = sender(ledger, database, batch_size=10)
    crashing.ledger = cast(Ledger, CrashingLedger(ledger, after=1))
    with pytest.raises(CrashError):
        crashing.run()
    project(ledger, database, NotificationOutbox(), batch_size=50)
    with database.connect() as conn:
        pending = pending_notifications_sync(conn, "campaign_message")
    assert pending and all(OutboxMessages(ledger).open(m) is not None for m in pending)
    ledger.handle(CancelCampaign(campaign), ADMIN)

    assert all(OutboxMessages(ledger).open(m) is None for m in pending)


def test_a_recipient_erased_after_the_batch_was_recorded_gets_no_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The batch's other recipients' messages stay pending, with their points where enrolled;
    the erased one's is withdrawn (and would open to nothing)."""
    world = populate(ledger, agent)
    erased, enrolled = world.welcome[0], world.welcome[1]
    ledger.enrol_in_loyalty(enrolled, agent)
    ledger.adjust_points(enrolled, 40, "welcome", agent)
    launch(ledger, database, world)
    sender(ledger, database, batch_size=10).run()
    ledger.request_erasure(erased, None, ErasureReason.CUSTOMER_REQUEST, 0, agent)
    ledger.complete_erasure(erased, agent)
    project(ledger, database, NotificationOutbox(), batch_size=50)

    with database.connect() as conn:
        pending = pending_notifications_sync(conn, "campaign_message")
    assert sorted(m.customer_id for m in pending) == sorted(world.welcome[1:])
    [points] = [m for m in pending if m.customer_id == enrolled]
    assert json.loads(opened(ledger, points).token or "{}")["text"] == "You have 40 points."


def test_an_older_batchs_messages_are_one_event_each_entry_sealed_with_its_recipients_key(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A batch recorded before messages were written when sent: the reaction writes one event
    for it, on a stream of its own; each recipient's address and text are sealed with their
    key (their id is the sealed value's subject), none in clear."""
    world = populate(ledger, agent, welcome=3)
    campaign = launch(ledger, database, world)
    sender(ledger, database, batch_size=10).run()
    head = ledger.head_position()
    queue_campaign_messages(ledger, _older(ledger, _batches(ledger, campaign)[0]), SENDER_METADATA)

    assert ledger.head_position() == head + 1
    [stored] = ledger.recorder.select_notifications(start=head + 1, limit=1)
    assert stored.originator_id == MessageBatch.id_for(campaign, 0)
    state = stored.state.decode()
    for customer in world.welcome:
        assert state.count(f'"s":"{customer.hex}"') == 2  # address and text, under her key
    assert "@example.org" not in state and "Hi Ok" not in state


def test_an_older_batch_past_the_size_of_one_event_is_queued_in_parts_committed_together(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With room for one message per event, a batch of three is three events (parts 0, 1 and
    2) in one commit; each recipient gets one message, and delivered again it adds none."""
    monkeypatch.setattr(campaign_messages, "PART_CHARS", 1)
    world = populate(ledger, agent, welcome=3)
    campaign = launch(ledger, database, world)
    sender(ledger, database, batch_size=10).run()
    batch = _older(ledger, _batches(ledger, campaign)[0])
    head = ledger.head_position()
    queue_campaign_messages(ledger, batch, SENDER_METADATA)
    queue_campaign_messages(ledger, batch, SENDER_METADATA)  # delivered again

    stored = ledger.recorder.select_notifications(start=head + 1, limit=10)
    assert [row.originator_id for row in stored] == [
        MessageBatch.id_for(campaign, 0, part) for part in range(3)
    ]
    project(ledger, database, NotificationOutbox(), batch_size=50)
    with database.connect() as conn:
        pending = pending_notifications_sync(conn, "campaign_message")
    from_parts = [m.customer_id for m in pending if m.cause_position > head]
    assert sorted(from_parts) == sorted(world.welcome)


def test_an_erased_recipients_queued_message_is_not_sent_and_the_others_still_are(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Erasing one recipient of a queued batch cancels only their message: the batch's event
    still opens for the others, who get their mail."""
    world = populate(ledger, agent, welcome=3)
    erased, *others = world.welcome
    launch(ledger, database, world)
    sender(ledger, database, batch_size=10).run()
    project_outbox(ledger, database)
    ledger.request_erasure(erased, None, ErasureReason.CUSTOMER_REQUEST, 0, agent)
    ledger.complete_erasure(erased, agent)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        summary = mail_sender(ledger, database, catcher.endpoint, MovableClock()).run()
        mails = catcher.mailbox.all()

    with database.connect() as conn:
        pending = pending_notifications_sync(conn, "campaign_message")
    assert summary.sent == 2 and pending == []
    names = [ledger.get_customer(c).name.value or "" for c in others]
    assert sorted(m.envelope_to for m in mails) == sorted(
        (f"{n.lower()}@example.org",) for n in names
    )
    assert len({m.message["Message-ID"] for m in mails}) == 2  # one per message, not per event


def test_a_message_queued_as_a_stream_of_its_own_before_batches_still_goes_out(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """``CampaignMessage.Queued`` events already in logs project and send as before."""
    world = populate(ledger, agent, welcome=1)
    [ada] = world.welcome
    campaign = campaign_of(ledger, launch(ledger, database, world))
    customer = ledger.get_customer(ada)
    with acting_as(SENDER_METADATA):
        old = CampaignMessage.queue(campaign, customer, values_for(customer, None))
    ledger.commit(old)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        summary = mail_sender(ledger, database, catcher.endpoint, MovableClock()).run()
        [mail] = catcher.mailbox.all()

    assert summary.sent == 1 and mail.envelope_to == ("ok0@example.org",)
    assert mail.subject == "Hi Ok0"


def test_a_scheduled_campaign_is_launched_by_the_sender_once_its_time_has_come(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Before its time the sender leaves it scheduled; at its time it launches and sends it."""
    world = populate(ledger, agent, welcome=2)
    project(ledger, database, SegmentMembership(), batch_size=100)
    draft = DraftCampaign("Later", world.segment_id, "Hi {first_name}", "Text")
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    at = now() + timedelta(hours=2)
    ledger.handle(ScheduleCampaign(campaign, at), ADMIN)

    early = sender(ledger, database).run(at - timedelta(minutes=1))
    assert (early.launched, campaign_of(ledger, campaign).status.value) == (0, "scheduled")
    due = sender(ledger, database).run(at)
    assert (due.launched, due.queued, due.completed) == (1, 2, 1)


def test_nps_before_and_after_are_the_recipients_answers_either_side_of_the_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A detractor's answer before the message and a promoter's after it: -100 then 100."""
    world = populate(ledger, agent, welcome=2)
    answerer = world.welcome[0]
    answer_nps(ledger, answerer, 3)
    campaign = launch(ledger, database, world)
    sender(ledger, database).run()
    answer_nps(ledger, answerer, 10)
    project(ledger, database, CampaignFigures(), batch_size=50)

    shown = query(database, lambda conn: figures(conn, campaign))

    assert (shown.nps_before.answers, shown.nps_before.nps) == (1, -100.0)
    assert (shown.nps_after.answers, shown.nps_after.nps) == (1, 100.0)


def _sent_to_one_member_with(
    ledger: Ledger, database: Database, agent: EventMetadata, points: int
) -> UUID:
    """A campaign sent to a segment of one member, enrolled with ``points``: her id."""
    world = populate(ledger, agent, welcome=1)
    [member] = world.welcome
    ledger.enrol_in_loyalty(member, agent)
    ledger.adjust_points(member, points, "welcome", agent)
    launch(ledger, database, world)
    sender(ledger, database).run()
    return member


def _older(ledger: Ledger, batch: RecipientBatch.Recorded) -> RecipientBatch.Recorded:
    """``batch`` as a batch recorded before messages were written when sent decodes (its
    version 1, upcast): the reaction writes its messages."""
    older = as_stored_before(ledger, batch, ("channel", "written_when_sent"))
    assert isinstance(older, RecipientBatch.Recorded)
    assert (older.channel, older.written_when_sent) == ("email", False)
    return older


def _batches(ledger: Ledger, campaign: UUID) -> list[RecipientBatch.Recorded]:
    count = campaign_of(ledger, campaign).batches
    found = []
    for number in range(count):
        found += [
            e for e in ledger.history(RecipientBatch.id_for(campaign, number))
            if isinstance(e, RecipientBatch.Recorded)
        ]  # fmt: skip
    return found


def test_a_template_naming_a_recommended_product_gets_each_recipients_best_product(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Two others bought TEA-1 with MUG-1 and the first recipient bought MUG-1: their message
    names TEA-1; a recipient with no recommendation gets the placeholder left empty."""
    world = populate(ledger, agent, welcome=2)
    buyer, other = sorted(world.welcome)
    for n, customer in enumerate([*world.no_consent, *world.opted_out, buyer]):
        lines = [OrderLineInput("MUG-1", 1, "10", None)]
        if customer != buyer:
            lines.append(OrderLineInput("TEA-1", 1, "10", None))
        order = RecordPurchase(
            customer, f"order-{n}", str(10 * len(lines)), "EUR", PurchaseChannel.WEB, now(), lines
        )
        ledger.record_purchase(order, agent)
    project(ledger, database, ProductAffinity(), batch_size=100)
    project(ledger, database, SegmentMembership(), batch_size=100)
    draft = DraftCampaign("Tea", world.segment_id, "For you", "Try {recommended_product}.")
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ADMIN)
    sender(ledger, database).run()

    recommended = {k: v for b in _batches(ledger, campaign) for k, v in b.recommended.items()}
    assert recommended == {str(buyer): "TEA-1"}
    project(ledger, database, NotificationOutbox(), batch_size=50)
    with database.connect() as conn:
        pending = pending_notifications_sync(conn, "campaign_message")
    texts = {m.customer_id: json.loads(opened(ledger, m).token or "{}")["text"] for m in pending}
    assert texts == {buyer: "Try TEA-1.", other: "Try ."}
