"""Every long-lived aggregate snapshots, and loads from its snapshot to the state a full replay
of its events gives (in memory, through the same transcoding as the database's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import pytest

from domain.billing.commands import RecordPaymentNotification
from domain.billing.model import BillingAccount
from domain.billing.values import NotificationKind
from domain.campaign.commands import DraftCampaign, LaunchCampaign, RecordCampaignRecipients
from domain.campaign.model import Campaign
from domain.customer.commands import ChangeDemographics, RegisterCustomer
from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer, EmailClaim
from domain.customer.profile import Address, ConsentPurpose
from domain.exclusive_event.commands import RecordAttendance, RsvpToEvent, ScheduleEvent
from domain.exclusive_event.model import ExclusiveEvent
from domain.exclusive_event.values import EventDetails
from domain.ledger import LONG_LIVED, SNAPSHOT_EVERY, Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import AddReward
from domain.loyalty.reward import Reward
from domain.loyalty.values import RewardKind, Tier
from domain.referral.model import PROGRAM_ID as REFERRAL_PROGRAM_ID
from domain.referral.model import ReferralProgram, Referrer
from domain.referral.values import ReferralTerms
from domain.segment.commands import DefineSegment
from domain.shared.aggregate import LedgerAggregate
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.model import Ticket
from domain.ticket.policy import POLICY_ID, SlaPolicy
from domain.ticket.values import TicketChannel
from tests.support.loyalty import make_silver

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
NOW = datetime.now(UTC)


def replayed(ledger: Ledger, aggregate_id: UUID) -> LedgerAggregate:
    aggregate: Any = None
    for event in ledger.events.get(aggregate_id):
        aggregate = cast(Any, event).mutate(aggregate)
    assert isinstance(aggregate, LedgerAggregate)
    return aggregate


def typed(aggregate: object) -> dict[str, tuple[type, object]]:
    """The state with each value's type: a StrEnum that came back as text is a difference."""
    return {name: (type(value), value) for name, value in vars(aggregate).items()}


def one_of_each(ledger: Ledger) -> dict[type[Any], UUID]:
    """One aggregate of every long-lived kind, with personal values where it keeps any."""
    command = RegisterCustomer("Ada Lovelace", "ada@example.org", phone="+44 20 7946 0000")
    ada = ledger.register_customer(command, AGENT).aggregate_id
    address = Address.checked("12 Analytical Row", None, "London", "N1 9GU", "GB")
    ledger.change_address(ada, address, AGENT)
    ledger.change_demographics(ChangeDemographics(ada, language="en", birth_year=1965), AGENT)
    ledger.give_consent(ada, ConsentPurpose.RESEARCH, AGENT)
    make_silver(ledger, ada, NOW)
    reward = ledger.add_reward(AddReward("Mug", RewardKind.FREE_PRODUCT, 50), ADMIN, now=NOW)
    opened = OpenTicket(ada, TicketChannel.WEB, "delivery", "Late parcel", "A week late")
    ticket = ledger.open_ticket(opened, AGENT).aggregate_id
    ledger.set_reopen_window(10, ADMIN, now=NOW)
    aspects = [AspectQuestion.checked("delivery", "How was the delivery?")]
    draft = DraftSurvey(
        SurveyKind.NPS, "After delivery", "Recommend us?", [SurveyChannel.WEB], aspects=aspects
    )
    survey = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey, ADMIN)
    ledger.issue_referral_code(ada, AGENT, now=NOW)
    ledger.invite_friend(ada, "friend@example.org", AGENT, now=NOW)
    ledger.change_referral_terms(ReferralTerms(referrer_points=700), ADMIN, now=NOW)
    starts = NOW + timedelta(days=5)
    details = EventDetails.checked(
        title="Tasting", description="Beans.", starts_at=starts,
        ends_at=starts + timedelta(hours=2), place="Torino", capacity=3,
        invited_tiers=[Tier.SILVER, Tier.GOLD], points_for_attending=40,
    )  # fmt: skip
    event = ledger.schedule_event(ScheduleEvent(details), ADMIN).aggregate_id
    ledger.rsvp_to_event(RsvpToEvent(event, ada), AGENT)
    ledger.record_attendance(RecordAttendance(event, ada), AGENT)
    provider = EventMetadata.system("payment-provider")
    kind = NotificationKind
    for note in (
        RecordPaymentNotification("n1", kind.INVOICE_ISSUED, ada, "EUR", 990, invoice_id="i1"),
        RecordPaymentNotification("n2", kind.PAYMENT_RECEIVED, ada, "EUR", 990, invoice_id="i1",
                                  payment_id="p1"),
        RecordPaymentNotification("n3", kind.REFUND_ISSUED, ada, "EUR", 90, payment_id="p1",
                                  refund_id="r1"),
    ):  # fmt: skip
        ledger.record_payment_notification(note, provider)
    rule = {"field": "region", "values": ["EU"]}
    segment = ledger.handle(DefineSegment("EU", "", rule), ADMIN).aggregate_id
    campaign = ledger.handle(DraftCampaign("Spring", segment, "Hi {first_name}", "Text"), ADMIN)
    ledger.handle(LaunchCampaign(campaign.aggregate_id), ADMIN)
    batch = RecordCampaignRecipients(campaign.aggregate_id, 0, None, [ada], {})
    ledger.handle(batch, EventMetadata.system("campaign-sender"))
    return {
        Campaign: campaign.aggregate_id,
        ExclusiveEvent: event,
        BillingAccount: BillingAccount.id_for(ada),
        Customer: ada,
        LoyaltyAccount: LoyaltyAccount.id_for(ada),
        Reward: reward.aggregate_id,
        Ticket: ticket,
        SlaPolicy: POLICY_ID,
        Referrer: Referrer.id_for(ada),
        ReferralProgram: REFERRAL_PROGRAM_ID,
    }


def test_every_long_lived_aggregate_is_snapshotted_every_interval() -> None:
    assert set(Ledger.snapshotting_intervals) == set(LONG_LIVED)
    assert set(Ledger.snapshotting_intervals.values()) == {SNAPSHOT_EVERY}


def test_a_snapshot_of_each_long_lived_aggregate_loads_to_the_replayed_state(
    ledger: Ledger,
) -> None:
    """The state of each kind survives the transcoding of a snapshot, personal data and all."""
    aggregates = one_of_each(ledger)
    assert set(aggregates) == set(LONG_LIVED)
    assert ledger.snapshots is not None
    for kind, aggregate_id in aggregates.items():
        ledger.take_snapshot(aggregate_id)
        assert list(ledger.snapshots.get(aggregate_id)), kind
        loaded = ledger.find(aggregate_id)
        assert typed(loaded) == typed(replayed(ledger, aggregate_id)), kind


def test_a_customer_past_the_interval_loads_from_its_latest_snapshot(ledger: Ledger) -> None:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    for _ in range(SNAPSHOT_EVERY):  # give, withdraw, give, ...: one event each
        ledger.give_consent(ada.aggregate_id, ConsentPurpose.MARKETING, AGENT)
        ledger.withdraw_consent(ada.aggregate_id, ConsentPurpose.MARKETING, AGENT)
    assert ledger.snapshots is not None
    latest = list(ledger.snapshots.get(ada.aggregate_id, desc=True, limit=1))
    customer = ledger.get_customer(ada.aggregate_id)
    assert customer.version == 1 + 2 * SNAPSHOT_EVERY
    assert latest and latest[0].originator_version == 2 * SNAPSHOT_EVERY
    assert typed(customer) == typed(replayed(ledger, ada.aggregate_id))


@pytest.mark.parametrize("kind", [Customer, Ticket, Referrer])
def test_personal_values_in_a_snapshot_are_sealed(ledger: Ledger, kind: type[Any]) -> None:
    """The stored snapshot holds no personal value in clear (the transcoding seals it)."""
    aggregate_id = one_of_each(ledger)[kind]
    ledger.take_snapshot(aggregate_id)
    assert ledger.snapshots is not None
    stored = ledger.snapshots.recorder.select_events(aggregate_id, desc=True, limit=1)
    for clear in ("Ada Lovelace", "ada@example.org", "Analytical", "friend@example.org"):
        assert clear.encode() not in stored[0].state, (kind, clear)


def test_an_unknown_id_is_found_as_none(ledger: Ledger) -> None:
    assert ledger.find(uuid4()) is None


def test_a_kind_that_takes_no_snapshots_is_found_without_asking_the_snapshots(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registration's look-up of its email claim reads the claim's events alone (asking the
    snapshots first was a round trip for nothing); a customer still loads from a snapshot."""
    assert ledger.snapshots is not None
    asked: list[UUID] = []
    select_events = ledger.snapshots.recorder.select_events

    def counted(originator_id: UUID, **kwargs: Any) -> Any:
        asked.append(originator_id)
        return select_events(originator_id, **kwargs)

    monkeypatch.setattr(ledger.snapshots.recorder, "select_events", counted)
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    claim_id = EmailClaim.id_for(ledger.fingerprint_email("ada@example.org"))
    claim = ledger.find(claim_id, EmailClaim, lambda: CustomerNotFoundError("not a claim"))
    assert asked == [], "neither the registration nor finding its claim asked the snapshots"
    assert claim is not None and claim.customer_id == ada.aggregate_id
    with pytest.raises(CustomerNotFoundError):  # a customer's look-up still reads snapshots
        ledger.find(claim_id, Customer, lambda: CustomerNotFoundError("not a customer"))
    with pytest.raises(CustomerNotFoundError):  # of another kind, read from events alone
        ledger.find(ada.aggregate_id, EmailClaim, lambda: CustomerNotFoundError("not a claim"))
    assert ledger.find(uuid4(), EmailClaim, lambda: CustomerNotFoundError("not a claim")) is None

    assert ledger.get_customer(ada.aggregate_id).name.value == "Ada"
    assert asked == [claim_id, ada.aggregate_id]
