"""No command replays an aggregate twice (issue 14 item 2).

Each test counts the loads a command makes, by aggregate id, on the real in-memory repository:
asking whether an aggregate exists and then loading it replayed its stream twice, as did a
survey answer that loaded the invitation and the loyalty account twice each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import RewardKind
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from tests.support.loyalty import make_silver

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
OFFICER = EventMetadata("officer-1", Role.PRIVACY_OFFICER, Channel.WEB)
NOW = datetime.now(UTC)


@pytest.fixture
def loads(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[UUID]]:
    """Loads by aggregate id from now on (the repository's own ``get``, and the ledger's
    replay of a kind that takes no snapshots, which skips the repository, counted)."""
    counted: Counter[UUID] = Counter()
    real_get: Callable[..., Any] = ledger.repository.get
    real_replay: Callable[..., Any] = ledger._found_in_events

    def get(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        counted[aggregate_id] += 1
        return real_get(aggregate_id, *args, **kwargs)

    def replay(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        counted[aggregate_id] += 1
        return real_replay(aggregate_id, *args, **kwargs)

    monkeypatch.setattr(ledger.repository, "get", get)
    monkeypatch.setattr(ledger, "_found_in_events", replay)
    yield counted


def _as(customer_id: UUID) -> EventMetadata:
    return EventMetadata(actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB)


def _twice(loads: Counter[UUID]) -> dict[UUID, int]:
    return {aggregate_id: n for aggregate_id, n in loads.items() if n > 1}


def _silver_customer(ledger: Ledger) -> UUID:
    command = RegisterCustomer("Ada", f"ada-{uuid4().hex[:6]}@example.org", region="north")
    customer_id = ledger.register_customer(command, AGENT).aggregate_id
    make_silver(ledger, customer_id, NOW)
    return customer_id


def _open_survey(ledger: Ledger) -> UUID:
    draft = DraftSurvey(
        kind=SurveyKind.NPS,
        title="After delivery",
        question="How likely are you to recommend us?",
        channels=[SurveyChannel.EMAIL, SurveyChannel.WEB],
    )
    survey_id = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    return survey_id


def test_an_in_product_survey_answer_loads_each_aggregate_once(
    ledger: Ledger, loads: Counter[UUID]
) -> None:
    """Invitation, survey, customer and loyalty account (for the tier): one load each."""
    customer_id = _silver_customer(ledger)
    survey_id = _open_survey(ledger)
    loads.clear()
    answer = SubmitResponse(score=9, survey_id=survey_id, customer_id=customer_id)
    ledger.submit_survey_response(answer, _as(customer_id))
    assert Invitation.id_for(survey_id, customer_id) in loads
    assert _twice(loads) == {}


def test_an_answer_by_link_loads_each_aggregate_once_and_names_its_survey(
    ledger: Ledger, loads: Counter[UUID]
) -> None:
    """Invitation, survey, customer and loyalty account: one load each; the answer names the
    survey, so the API does not load the invitation again to show it."""
    customer_id = _silver_customer(ledger)
    opt_in = SetContactPreferences(customer_id, {ContactChannel.EMAIL: True})
    ledger.set_contact_preferences(opt_in, AGENT)
    survey_id = _open_survey(ledger)
    ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.EMAIL, AGENT)
    invitation_id = Invitation.id_for(survey_id, customer_id)
    issued = next(iter(ledger.events.get(invitation_id)))
    assert isinstance(issued, Invitation.Issued) and issued.token and issued.token.value
    loads.clear()
    answer = SubmitResponse(score=9, token=issued.token.value)
    result = ledger.submit_survey_response(answer, _as(customer_id))
    assert (result.aggregate_id, result.survey_id) == (invitation_id, survey_id)
    assert set(loads) >= {invitation_id, survey_id, customer_id}
    assert _twice(loads) == {}


def test_answering_an_existing_invitation_loads_each_aggregate_once(
    ledger: Ledger, loads: Counter[UUID]
) -> None:
    """An invitation that exists already is found, not first asked about then loaded."""
    customer_id = _silver_customer(ledger)
    survey_id = _open_survey(ledger)
    answer = SubmitResponse(score=9, survey_id=survey_id, customer_id=customer_id)
    ledger.submit_survey_response(answer, _as(customer_id))
    other = _open_survey(ledger)
    ledger.submit_survey_response(
        SubmitResponse(score=3, survey_id=other, customer_id=customer_id),
        _as(customer_id),
    )
    loads.clear()
    opened = OpenTicket(
        customer_id=customer_id,
        channel=TicketChannel.WEB,
        category="delivery",
        subject="Late parcel",
        description="It came a week late.",
        survey_response_id=Invitation.id_for(other, customer_id),
    )
    ledger.open_ticket(opened, AGENT)
    assert _twice(loads) == {}


def test_earning_points_for_an_order_loads_each_aggregate_once(
    ledger: Ledger, loads: Counter[UUID]
) -> None:
    """Purchase, account and rule book: one load each."""
    customer_id = _silver_customer(ledger)
    order = RecordPurchase(customer_id, "order-42", "30", "EUR", PurchaseChannel.WEB, NOW)
    ledger.record_purchase(order, AGENT)
    loads.clear()
    ledger.earn_points_for_order("order-42", EventMetadata.system("loyalty-earning"), now=NOW)
    assert len(loads) == 3
    assert _twice(loads) == {}


def test_retried_registration_and_reward_commands_load_each_aggregate_once(
    ledger: Ledger, loads: Counter[UUID]
) -> None:
    """A replayed registration, a replayed reward and an enrolment find what they need once."""
    command = RegisterCustomer("Bo", "bo@example.org", customer_id=uuid4())
    ledger.register_customer(command, AGENT)
    reward = AddReward("Coffee", RewardKind.FREE_PRODUCT, 10, reward_id=uuid4())
    ledger.add_reward(reward, ADMIN, now=NOW)
    commands: list[Callable[[], object]] = [
        lambda: ledger.register_customer(command, AGENT),
        lambda: ledger.add_reward(reward, ADMIN, now=NOW),
        lambda: ledger.enrol_in_loyalty(command.customer_id or uuid4(), AGENT, now=NOW),
    ]
    for run in commands:
        loads.clear()
        run()
        assert _twice(loads) == {}


def test_referral_and_erasure_commands_load_each_aggregate_once(
    ledger: Ledger, loads: Counter[UUID]
) -> None:
    """Issuing a code, inviting, converting, rewarding on an order, and erasing."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    bo = ledger.register_customer(RegisterCustomer("Bo", "bo@example.org"), AGENT)
    ada_id, bo_id = ada.aggregate_id, bo.aggregate_id
    loads.clear()
    ledger.issue_referral_code(ada_id, AGENT, now=NOW)
    assert _twice(loads) == {}
    code = ledger.get_referrer(ada_id).code
    commands: list[Callable[[], object]] = [
        lambda: ledger.invite_friend(ada_id, "cy@example.org", AGENT, now=NOW),
        lambda: ledger.convert_referral(bo_id, code, AGENT, now=NOW),
        lambda: ledger.record_purchase(
            RecordPurchase(bo_id, "order-7", "80", "EUR", PurchaseChannel.WEB, NOW), AGENT
        ),
        lambda: ledger.reward_referral_for_order("order-7", AGENT, now=NOW),
        lambda: ledger.request_erasure(bo_id, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER),
        lambda: ledger.complete_erasure(bo_id, OFFICER),
    ]
    for run in commands:
        loads.clear()
        run()
        assert loads and _twice(loads) == {}
