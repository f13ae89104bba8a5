"""Referrals, given-when-then, in memory: codes, invitations, conversion, rewards, fraud rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.referral.errors import (
    AlreadyInvitedError,
    AlreadyReferredError,
    DisposableEmailError,
    InvalidReferralCodeError,
    InvitationLimitError,
    SelfReferralError,
)
from domain.referral.model import Referral, Referrer
from domain.referral.values import CODE_ALPHABET, CODE_LENGTH, ReferralTerms
from domain.shared.metadata import Channel, EventMetadata, Role

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
SYSTEM = EventMetadata.system("referral-rewards")
T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def customer(ledger: Ledger, email: str) -> UUID:
    return ledger.register_customer(RegisterCustomer("Someone", email), AGENT).aggregate_id


def code_of(ledger: Ledger, customer_id: UUID) -> str:
    ledger.issue_referral_code(customer_id, AGENT, now=T0)
    return ledger.get_referrer(customer_id).code


def referred(ledger: Ledger) -> tuple[UUID, UUID]:
    """Ada refers Bo, who registered with her code."""
    ada = customer(ledger, "ada.lovelace@example.org")
    bo = customer(ledger, "bo@example.org")
    ledger.convert_referral(bo, code_of(ledger, ada), AGENT, now=T0)
    return ada, bo


def buys(ledger: Ledger, customer_id: UUID, amount: str, order: str, at: datetime = T0) -> None:
    purchase = RecordPurchase(customer_id, order, amount, "EUR", PurchaseChannel.WEB, at)
    ledger.record_purchase(purchase, AGENT)
    ledger.reward_referral_for_order(order, SYSTEM, now=at)


def points(ledger: Ledger, customer_id: UUID) -> int:
    if ledger.find(LoyaltyAccount.id_for(customer_id)) is None:
        return 0
    return ledger.get_loyalty_account(customer_id).balance(T0 + timedelta(days=1))


def test_a_code_is_short_unguessable_and_stable_until_it_expires(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    code = code_of(ledger, ada)
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert code_of(ledger, ada) == code
    ledger.issue_referral_code(ada, AGENT, now=T0 + timedelta(days=400))
    assert ledger.get_referrer(ada).code != code


def test_a_friend_converts_with_the_code_typed_loosely(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    bo = customer(ledger, "bo@example.org")
    code = code_of(ledger, ada)
    typed = f"{code[:5].lower()}-{code[5:]}"
    ledger.convert_referral(bo, typed, AGENT, now=T0)
    assert ledger.get_referral(bo).referrer_id == ada


def test_an_unknown_revoked_or_expired_code_is_refused_alike(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    bo = customer(ledger, "bo@example.org")
    code = code_of(ledger, ada)
    with pytest.raises(InvalidReferralCodeError):
        ledger.convert_referral(bo, "ZZZZZZZZZZ", AGENT, now=T0)
    with pytest.raises(InvalidReferralCodeError):
        ledger.convert_referral(bo, code, AGENT, now=T0 + timedelta(days=366))
    ledger.revoke_referral_code(ada, AGENT, now=T0)
    with pytest.raises(InvalidReferralCodeError):
        ledger.convert_referral(bo, code, AGENT, now=T0)


def test_self_referral_is_refused_for_the_same_customer(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    with pytest.raises(SelfReferralError):
        ledger.convert_referral(ada, code_of(ledger, ada), AGENT, now=T0)


def test_self_referral_is_refused_for_a_dotted_or_tagged_variant_of_the_email(
    ledger: Ledger,
) -> None:
    ada = customer(ledger, "adalovelace@example.org")
    again = customer(ledger, "Ada.Love.Lace+promo@example.org")
    with pytest.raises(SelfReferralError):
        ledger.convert_referral(again, code_of(ledger, ada), AGENT, now=T0)
    assert ledger.find(Referral.id_for(again)) is None


def test_a_friend_converts_once(ledger: Ledger) -> None:
    _, bo = referred(ledger)
    cy = customer(ledger, "cy@example.org")
    with pytest.raises(AlreadyReferredError):
        ledger.convert_referral(bo, code_of(ledger, cy), AGENT, now=T0)


def test_a_disposable_domain_is_refused(ledger: Ledger) -> None:
    ledger.change_referral_terms(ReferralTerms(disposable_domains=("mailinator.com",)), ADMIN)
    ada = customer(ledger, "ada@example.org")
    throwaway = customer(ledger, "x1@mailinator.com")
    with pytest.raises(DisposableEmailError):
        ledger.convert_referral(throwaway, code_of(ledger, ada), AGENT, now=T0)
    with pytest.raises(DisposableEmailError):
        ledger.invite_friend(ada, "x2@Mailinator.com", AGENT, now=T0)


def test_a_qualifying_first_purchase_rewards_both_sides_once(ledger: Ledger) -> None:
    ada, bo = referred(ledger)
    buys(ledger, bo, "10.00", "small")  # below the 20 EUR threshold: nothing yet
    assert (points(ledger, ada), points(ledger, bo)) == (0, 0)
    buys(ledger, bo, "25.00", "big")
    buys(ledger, bo, "99.00", "bigger")
    assert (points(ledger, ada), points(ledger, bo)) == (500, 250)  # enrolled by the reward
    assert ledger.reward_referral_for_order("big", SYSTEM, now=T0) is None  # replay: nothing
    assert (points(ledger, ada), points(ledger, bo)) == (500, 250)


def test_a_purchase_from_before_the_conversion_does_not_qualify(ledger: Ledger) -> None:
    ada, bo = referred(ledger)
    buys(ledger, bo, "50.00", "earlier", at=T0 - timedelta(hours=1))
    assert points(ledger, ada) == 0


def test_invitations_are_limited_per_day_and_never_repeated(ledger: Ledger) -> None:
    ledger.change_referral_terms(ReferralTerms(invitations_per_day=2), ADMIN)
    ada = customer(ledger, "ada@example.org")
    code_of(ledger, ada)
    ledger.invite_friend(ada, "f1@example.org", AGENT, now=T0)
    with pytest.raises(AlreadyInvitedError):
        ledger.invite_friend(ada, "F.1+x@example.org", AGENT, now=T0)
    ledger.invite_friend(ada, "f2@example.org", AGENT, now=T0)
    with pytest.raises(InvitationLimitError):
        ledger.invite_friend(ada, "f3@example.org", AGENT, now=T0)
    ledger.invite_friend(ada, "f3@example.org", AGENT, now=T0 + timedelta(days=1))
    with pytest.raises(SelfReferralError):
        ledger.invite_friend(ada, "a.da@example.org", AGENT, now=T0 + timedelta(days=2))


def test_an_invited_email_is_personal_data_of_the_friend_not_of_the_referrer(
    ledger: Ledger,
) -> None:
    ada = customer(ledger, "ada@example.org")
    code_of(ledger, ada)
    ledger.invite_friend(ada, "friend@example.org", AGENT, now=T0)
    invited = [
        e for e in ledger.events.get(Referrer.id_for(ada)) if isinstance(e, Referrer.FriendInvited)
    ]
    assert invited[0].email.subject_id == ledger.invitee_subject("friend@example.org")
    assert invited[0].email.subject_id != ada


def test_many_conversions_in_a_short_time_are_flagged_not_refused(ledger: Ledger) -> None:
    ledger.change_referral_terms(ReferralTerms(velocity_conversions=2, velocity_hours=1), ADMIN)
    ada = customer(ledger, "ada@example.org")
    code = code_of(ledger, ada)
    friends = [customer(ledger, f"friend{n}@example.org") for n in range(3)]
    for n, friend in enumerate(friends):
        ledger.convert_referral(friend, code, AGENT, now=T0 + timedelta(minutes=n))
    assert [ledger.get_referral(f).flags for f in friends] == [[], [], ["velocity"]]


def test_a_rule_added_later_reverses_past_rewards_with_compensating_events(
    ledger: Ledger,
) -> None:
    ada = customer(ledger, "ada@example.org")
    spam = customer(ledger, "x@spam.example")
    ledger.convert_referral(spam, code_of(ledger, ada), AGENT, now=T0)
    buys(ledger, spam, "30.00", "o-1")
    assert points(ledger, ada) == 500
    ledger.change_referral_terms(ReferralTerms(disposable_domains=("spam.example",)), ADMIN)

    assert ledger.review_all_referrals(ADMIN, now=T0) == {"disposable_domain": 1}

    assert ledger.get_referral(spam).reversed
    assert (points(ledger, ada), points(ledger, spam)) == (0, 0)
    kinds = [type(e).__name__ for e in ledger.events.get(LoyaltyAccount.id_for(ada))]
    assert kinds == ["Enrolled", "PointsEarned", "AwardRevoked"]  # history kept, compensated
    assert ledger.review_all_referrals(ADMIN, now=T0) == {}


def test_checking_a_code_before_registering_refuses_as_the_conversion_would(
    ledger: Ledger,
) -> None:
    ledger.change_referral_terms(ReferralTerms(disposable_domains=("mailinator.com",)), ADMIN)
    ada = customer(ledger, "adalovelace@example.org")
    code = code_of(ledger, ada)
    head = ledger.head_position()
    assert ledger.check_referral_code(code.lower(), "newcomer@example.org", now=T0) == ada
    with pytest.raises(InvalidReferralCodeError):
        ledger.check_referral_code("ZZZZZZZZZZ", "newcomer@example.org", now=T0)
    with pytest.raises(DisposableEmailError):
        ledger.check_referral_code(code, "someone@Mailinator.com", now=T0)
    with pytest.raises(SelfReferralError):
        ledger.check_referral_code(code, "Ada.Love.Lace+new@example.org", now=T0)
    assert ledger.head_position() == head  # a check writes nothing


def test_checking_an_expired_or_revoked_code_refuses_it(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    code = code_of(ledger, ada)
    with pytest.raises(InvalidReferralCodeError):
        ledger.check_referral_code(code, "bo@example.org", now=T0 + timedelta(days=366))
    ledger.revoke_referral_code(ada, AGENT, now=T0)
    with pytest.raises(InvalidReferralCodeError):
        ledger.check_referral_code(code, "bo@example.org", now=T0)


def test_converting_again_through_the_same_referrer_is_a_retry(ledger: Ledger) -> None:
    ada, bo = referred(ledger)
    again = ledger.convert_referral(bo, ledger.get_referrer(ada).code, AGENT, now=T0)
    assert again.aggregate_id == Referral.id_for(bo)
    assert ledger.get_referral(bo).version == 1
