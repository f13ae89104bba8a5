"""Campaigns in memory, given-when-then: drafting checks the template's placeholders, the
status moves draft -> scheduled -> sending -> completed or cancelled, recipient batches follow
one another exactly once, and the per-member decision gives the reason a member is skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.campaign.commands import (
    CancelCampaign,
    CompleteCampaign,
    DraftCampaign,
    LaunchCampaign,
    RecordCampaignRecipients,
    ScheduleCampaign,
    campaign_of,
)
from domain.campaign.errors import CampaignStateError, StaleRecipientBatchError
from domain.campaign.model import RecipientBatch
from domain.campaign.values import Candidate, FrequencyCap, SkipReason, render, skip_reason
from domain.ledger import Ledger
from domain.segment.commands import DefineSegment
from domain.segment.errors import SegmentNotFoundError
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.events import events_of

ANALYST = EventMetadata(actor_id="analyst-1", actor_role=Role.ANALYST, channel=Channel.WEB)
SENDER = EventMetadata.system("campaign-sender")
BODY = "Hello {first_name}, you are {tier} with {points} points. Try {recommended_product}!"
CAP = FrequencyCap(messages=2, window_days=7)


def draft(ledger: Ledger, **changes: object) -> UUID:
    segment = ledger.handle(
        DefineSegment("All", "", {"field": "region", "values": ["UK"]}), ANALYST
    )
    fields: dict[str, object] = {
        "name": "Winter offer",
        "segment_id": segment.aggregate_id,
        "subject": "{first_name}, winter is here",
        "body": BODY,
    }
    fields.update(changes)
    return ledger.handle(DraftCampaign(**fields), ANALYST).aggregate_id  # type: ignore[arg-type]


def launched(ledger: Ledger) -> UUID:
    campaign = draft(ledger)
    ledger.handle(LaunchCampaign(campaign), ANALYST)
    return campaign


def test_a_draft_keeps_the_template_and_the_segment(ledger: Ledger) -> None:
    """Drafting records the template as written, on the email channel, as a draft."""
    campaign = campaign_of(ledger, draft(ledger))
    assert campaign.body == BODY and campaign.status.value == "draft"
    assert campaign.channel.value == "email" and campaign.conversion_days == 14


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("subject", {"subject": "Hi {last_name}"}),
        ("body", {"body": "Hi {first_name} {email}"}),
        ("body", {"body": "Hi {first_name!r}"}),
        ("body", {"body": "Hi {first_name:>40}"}),
        ("subject", {"subject": "Hi {first_name"}),
        ("body", {"body": "x" * 10_001}),
        ("name", {"name": "   "}),
        ("conversionDays", {"conversion_days": 0}),
        ("conversionDays", {"conversion_days": 366}),
    ],
)
def test_a_bad_template_or_bound_is_refused_naming_the_field(
    ledger: Ledger, field: str, changes: dict[str, object]
) -> None:
    """Only the whitelisted placeholders, without formats, in bounded text, are accepted."""
    with pytest.raises(ValidationError) as refused:
        draft(ledger, **changes)
    assert refused.value.field == field


def test_a_campaign_for_an_unknown_segment_is_refused(ledger: Ledger) -> None:
    """The segment must exist when the campaign is drafted."""
    with pytest.raises(SegmentNotFoundError):
        ledger.handle(DraftCampaign("x", uuid4(), "s", "b"), ANALYST)


def test_a_schedule_in_the_past_is_refused_and_a_future_one_makes_it_due_then(
    ledger: Ledger,
) -> None:
    """A scheduled campaign is due once its time has come, not before."""
    campaign_id = draft(ledger)
    with pytest.raises(ValidationError) as refused:
        ledger.handle(ScheduleCampaign(campaign_id, datetime(2020, 1, 1, tzinfo=UTC)), ANALYST)
    assert refused.value.field == "scheduledAt"
    at = datetime.now(UTC) + timedelta(hours=1)
    ledger.handle(ScheduleCampaign(campaign_id, at), ANALYST)
    campaign = campaign_of(ledger, campaign_id)
    assert not campaign.is_due(at - timedelta(seconds=1)) and campaign.is_due(at)


def test_batches_follow_the_cursor_and_a_replayed_batch_is_refused(ledger: Ledger) -> None:
    """Batch n after cursor c is recorded once; the same batch again writes nothing."""
    campaign_id = launched(ledger)
    first, second = sorted([uuid4(), uuid4()])
    batch = RecordCampaignRecipients(
        campaign_id, 0, None, [first], {SkipReason.FREQUENCY_CAP.value: [second]}
    )
    ledger.handle(batch, SENDER)
    with pytest.raises(StaleRecipientBatchError):
        ledger.handle(batch, SENDER)
    recorded = events_of(ledger, RecipientBatch.id_for(campaign_id, 0), RecipientBatch.Recorded)
    assert [(r.queued, r.skipped) for r in recorded] == [([first], {"frequency_cap": [second]})]
    assert campaign_of(ledger, campaign_id).cursor == second


def test_a_batch_reaching_back_before_the_cursor_is_refused(ledger: Ledger) -> None:
    """A batch holds only members after the last one recorded."""
    campaign_id = launched(ledger)
    low, high = sorted([uuid4(), uuid4()])
    ledger.handle(RecordCampaignRecipients(campaign_id, 0, None, [high]), SENDER)
    with pytest.raises(StaleRecipientBatchError):
        ledger.handle(RecordCampaignRecipients(campaign_id, 1, high, [low]), SENDER)


def test_a_cancelled_campaign_takes_no_batch_and_cannot_be_launched(ledger: Ledger) -> None:
    """Cancelling in flight stops the sending: later batches and launches are refused."""
    campaign_id = launched(ledger)
    ledger.handle(CancelCampaign(campaign_id), ANALYST)
    with pytest.raises(CampaignStateError):
        ledger.handle(RecordCampaignRecipients(campaign_id, 0, None, [uuid4()]), SENDER)
    with pytest.raises(CampaignStateError):
        ledger.handle(LaunchCampaign(campaign_id), ANALYST)


def test_only_a_sending_campaign_completes(ledger: Ledger) -> None:
    """A draft cannot complete; a launched one can, once."""
    campaign_id = draft(ledger)
    with pytest.raises(CampaignStateError):
        ledger.handle(CompleteCampaign(campaign_id), SENDER)
    ledger.handle(LaunchCampaign(campaign_id), ANALYST)
    ledger.handle(CompleteCampaign(campaign_id), SENDER)
    assert campaign_of(ledger, campaign_id).status.value == "completed"


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (Candidate(True, True, 0), None),
        (Candidate(True, True, 1), None),
        (Candidate(True, True, 2), SkipReason.FREQUENCY_CAP),
        (Candidate(False, True, 0), SkipReason.NO_MARKETING_CONSENT),
        (Candidate(False, False, 5), SkipReason.NO_MARKETING_CONSENT),
        (Candidate(True, False, 0), SkipReason.EMAIL_OPTED_OUT),
    ],
)
def test_the_decision_names_the_first_reason_a_member_gets_nothing(
    candidate: Candidate, reason: SkipReason | None
) -> None:
    """Consent, then preference, then the frequency cap decide; none: the message goes."""
    assert skip_reason(candidate, CAP) == reason


def test_render_fills_every_placeholder_and_leaves_unknown_values_empty() -> None:
    """The personalised fields come from the recipient's values; a missing one is empty."""
    text = render(BODY, {"first_name": "Ada", "tier": "gold", "points": "120"})
    assert text == "Hello Ada, you are gold with 120 points. Try !"
