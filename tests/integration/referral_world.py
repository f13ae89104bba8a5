"""A small referral program driven by real commands, for the read model's tests: who did what
and when is in the docstring of :func:`populate` and the comments of :class:`World`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.referral.values import ReferralTerms
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from projections.referrals.projection import ReferralFunnel
from tests.support import read_models

T = TypeVar("T")
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
SYSTEM = EventMetadata.system("referral-rewards")
# One conversion and one invitation fall at 23:30 UTC on 31 January: 1 February in Rome.
TERMS = ReferralTerms(velocity_conversions=1, velocity_hours=24)
LATE_JANUARY = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
REVIEWED_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def on(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def project(ledger: Ledger, database: Database, batch_size: int = 4) -> None:
    read_models.project(ledger, database, ReferralFunnel(), batch_size)


@dataclass
class World:
    ada: UUID  # referrer: invites Bo, Dee and E.ve; Bo and Eve convert
    cy: UUID  # referrer: invites Fay; Fay, Hal (flagged) and Gus (reversed) convert
    bo: UUID  # converts in January, qualifies and both sides are rewarded
    eve: UUID  # invited as e.ve@, registers as eve@; converts late 31 January, buys too little
    fay: UUID  # converts in February, qualifies, rewarded
    hal: UUID  # converts a day after Fay: flagged by velocity; never buys
    gus: UUID  # on spam.example, rewarded, then reversed when that domain became disposable


def register(ledger: Ledger, email: str) -> UUID:
    return ledger.register_customer(RegisterCustomer("Someone", email), AGENT).aggregate_id


def buy(ledger: Ledger, customer_id: UUID, order: str, amount: str, at: datetime) -> None:
    purchase = RecordPurchase(customer_id, order, amount, "EUR", PurchaseChannel.WEB, at)
    ledger.record_purchase(purchase, AGENT)
    ledger.reward_referral_for_order(order, SYSTEM, now=at)


def populate(ledger: Ledger) -> World:
    """Invitations go out before the friends register, so they can be matched."""
    ledger.change_referral_terms(TERMS, ADMIN, now=on(1, 1))
    ada, cy = register(ledger, "ada@example.org"), register(ledger, "cy@example.org")
    for referrer in (ada, cy):
        ledger.issue_referral_code(referrer, AGENT, now=on(1, 10))
    for email in ("bo@example.org", "dee@example.org", "e.ve@example.org"):
        ledger.invite_friend(ada, email, AGENT, now=on(1, 12))
    ledger.invite_friend(cy, "fay@example.org", AGENT, now=LATE_JANUARY)
    friends = ("bo@example.org", "eve@example.org", "fay@example.org", "hal@example.org")
    bo, eve, fay, hal = (register(ledger, email) for email in friends)
    gus = register(ledger, "gus@spam.example")
    ada_code, cy_code = (ledger.get_referrer(r).code for r in (ada, cy))
    ledger.convert_referral(bo, ada_code, AGENT, now=on(1, 20))
    ledger.convert_referral(eve, ada_code, AGENT, now=LATE_JANUARY)
    ledger.convert_referral(fay, cy_code, AGENT, now=on(2, 5))
    ledger.convert_referral(hal, cy_code, AGENT, now=on(2, 6, 9))
    ledger.convert_referral(gus, cy_code, AGENT, now=on(2, 20))
    buy(ledger, bo, "bo-1", "25", on(1, 25))
    buy(ledger, eve, "eve-1", "10", on(2, 2))
    buy(ledger, fay, "fay-1", "30", on(2, 8))
    buy(ledger, gus, "gus-1", "50", on(2, 21))
    disposable = dataclasses.replace(TERMS, disposable_domains=("spam.example",))
    ledger.change_referral_terms(disposable, ADMIN, now=on(2, 28))
    ledger.review_all_referrals(ADMIN, now=REVIEWED_AT)
    return World(ada, cy, bo, eve, fay, hal, gus)
