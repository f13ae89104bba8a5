"""Property: whatever the order of invitations, conversions, purchases and rule reviews, no
friend is ever rewarded twice, and no self-referral (same person, or an email variant of the
referrer's) is ever converted or rewarded."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.referral.model import Referral
from domain.referral.values import ReferralTerms, email_variant
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.ledgers import in_memory_ledger

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
SYSTEM = EventMetadata.system("referral-rewards")
T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
# Six people, two pairs of which are one person under email variants.
EMAILS = (
    "ada@example.org", "a.da+x@example.org", "bo@example.org",
    "cy@example.org", "c.y@example.org", "dee@spam.example",
)  # fmt: skip

steps = st.lists(
    st.tuples(
        st.sampled_from(("convert", "convert", "buy", "buy", "invite", "review")),
        st.integers(0, len(EMAILS) - 1),
        st.integers(0, len(EMAILS) - 1),
        st.sampled_from(("5.00", "25.00", "80.00")),
    ),
    max_size=25,
)


class Program:
    def __init__(self) -> None:
        self.ledger: Ledger = in_memory_ledger()
        self.people = [
            self.ledger.register_customer(RegisterCustomer(f"P{n}", email), AGENT).aggregate_id
            for n, email in enumerate(EMAILS)
        ]
        self.orders = 0
        self.now = T0

    def run(self, action: str, a: int, b: int, amount: str) -> None:
        self.now += timedelta(minutes=7)
        with contextlib.suppress(DomainError):  # refusals are part of the game
            getattr(self, action)(self.people[a], self.people[b], amount)

    def convert(self, friend: UUID, referrer: UUID, _: str) -> None:
        self.ledger.issue_referral_code(referrer, AGENT, now=self.now)
        code = self.ledger.get_referrer(referrer).code
        self.ledger.convert_referral(friend, code, AGENT, now=self.now)

    def buy(self, buyer: UUID, _: UUID, amount: str) -> None:
        self.orders += 1
        order = f"order-{self.orders}"
        purchase = RecordPurchase(buyer, order, amount, "EUR", PurchaseChannel.WEB, self.now)
        self.ledger.record_purchase(purchase, AGENT)
        self.ledger.reward_referral_for_order(order, SYSTEM, now=self.now)
        self.ledger.reward_referral_for_order(order, SYSTEM, now=self.now)  # a replay

    def invite(self, referrer: UUID, friend: UUID, _: str) -> None:
        self.ledger.issue_referral_code(referrer, AGENT, now=self.now)
        email = EMAILS[self.people.index(friend)]
        self.ledger.invite_friend(referrer, email, AGENT, now=self.now)

    def review(self, *_: object) -> None:
        terms = ReferralTerms(disposable_domains=("spam.example",))
        self.ledger.change_referral_terms(terms, AGENT, now=self.now)
        self.ledger.review_all_referrals(AGENT, now=self.now)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_no_friend_is_rewarded_twice_and_no_self_referral_ever_pays(
    sequence: list[tuple[str, int, int, str]],
) -> None:
    program = Program()
    for step in sequence:
        program.run(*step)
    ledger = program.ledger
    awards: Counter[str] = Counter()
    for person in program.people:
        if ledger.find(LoyaltyAccount.id_for(person)) is not None:
            for event in ledger.events.get(LoyaltyAccount.id_for(person)):
                if isinstance(event, LoyaltyAccount.PointsEarned) and "award" in event.cause:
                    awards[event.cause["award"]] += 1
    assert all(count == 1 for count in awards.values()), awards
    for friend in program.people:
        if ledger.find(Referral.id_for(friend)) is None:
            continue
        referral = ledger.get_referral(friend)
        rewarded = [e for e in ledger.events.get(referral.id) if isinstance(e, Referral.Rewarded)]
        assert len(rewarded) <= 1
        referrer_email = EMAILS[program.people.index(referral.referrer_id)]
        friend_email = EMAILS[program.people.index(friend)]
        assert email_variant(referrer_email) != email_variant(friend_email)
