"""What is personal and what is secret is declared once, on the fields of events and
aggregates; the history, the export and its schema all read that one declaration."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.earning import Earning
from domain.loyalty.values import ProgramTerms
from domain.privacy.erasure import ErasureRequest
from domain.referral.model import Referral, ReferralCode, Referrer
from domain.shared.aggregate import LedgerAggregate
from domain.shared.disclosure import Disclosure, disclosures, fields_declared
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as
from domain.survey.model import Invitation
from graphql_api.privacy.export_schema import SECRETS, aggregate_schema

LOOKS_SECRET = re.compile(r"password|token|digest|fingerprint")
NOT_SECRET = {(ErasureRequest, "digest")}
"""The certificate's digest is the proof an erasure shows, not a credential."""
SYSTEM = EventMetadata(actor_id="system", actor_role=Role.SYSTEM, channel=Channel.SYSTEM)


def every_aggregate() -> list[type[LedgerAggregate]]:
    Ledger  # noqa: B018 (importing the ledger imports every aggregate)
    found: list[type[LedgerAggregate]] = []
    pending = list(LedgerAggregate.__subclasses__())
    while pending:
        kind = pending.pop()
        pending += kind.__subclasses__()
        if "." not in kind.__qualname__:
            found.append(kind)
    return found


def classes_of(aggregate: type[LedgerAggregate]) -> list[type]:
    return [aggregate, *aggregate.event_classes()]


def test_every_field_named_like_security_material_is_declared_secret() -> None:
    undeclared = [
        f"{kind.__qualname__}.{name}"
        for aggregate in every_aggregate()
        for kind in classes_of(aggregate)
        for name, found in disclosures(kind).items()
        if LOOKS_SECRET.search(name)
        and found is not Disclosure.SECRET
        and (aggregate, name) not in NOT_SECRET
    ]
    assert len(every_aggregate()) >= 16
    assert undeclared == []


@pytest.mark.parametrize(
    ("kind", "secrets"),
    [
        (Customer, {"email_fingerprint", "password_hash", "reset_token_digest"}),
        (Customer.PasswordResetRequested, {"token", "token_digest"}),
        (Invitation.Issued, {"token", "token_digest"}),
    ],
)
def test_credentials_are_declared_secret_on_the_aggregate_and_its_events(
    kind: type, secrets: set[str]
) -> None:
    assert secrets <= fields_declared([kind], Disclosure.SECRET)


@pytest.mark.parametrize(
    ("kind", "personal"),
    [
        (Referral, {"referrer_id", "friend_id"}),
        (Referral.Converted, {"referrer_id", "friend_id", "code"}),
        (Referrer, {"code", "invited"}),
        (Referrer.FriendInvited, {"invitee_id", "email"}),
        (ReferralCode, {"code", "referrer_id"}),
    ],
)
def test_who_referred_whom_is_declared_personal(kind: type, personal: set[str]) -> None:
    assert personal <= fields_declared([kind], Disclosure.PERSONAL)


def test_the_export_leaves_out_every_declared_secret_and_describes_none() -> None:
    assert {"password_hash", "email_change_digest", "token", "token_digest"} <= SECRETS
    state = aggregate_schema(Customer, "")["properties"]["state"]["properties"]
    assert not SECRETS & set(state)
    assert state["email"]["personal_data"] is True


def test_a_loyalty_account_shows_its_figures_as_of_an_instant() -> None:
    # Given a member who earned points that are still pending, then spendable
    bought = datetime(2026, 1, 1, tzinfo=UTC)
    with acting_as(SYSTEM):
        account = LoyaltyAccount.enrol(UUID(int=7), bought)
        account.earn_for_order("order-1", Earning(120, ["base"]), ProgramTerms(), bought)
    # When its figures are asked as of two instants
    early = account.figures(datetime(2026, 1, 2, tzinfo=UTC))
    later = account.figures(bought + timedelta(days=30))
    # Then they are the balance, the pending points and the tier then
    assert early == {"spendable_points": 0, "pending_points": 120, "tier": "bronze"}
    assert later == {"spendable_points": 120, "pending_points": 0, "tier": "bronze"}


def test_an_aggregate_without_figures_shows_none() -> None:
    with acting_as(SYSTEM):
        referrer = Referrer.issue(UUID(int=9), "ABCDEFGHJK", 30, datetime(2026, 1, 1, tzinfo=UTC))
    assert referrer.figures(datetime(2026, 1, 2, tzinfo=UTC)) == {}
