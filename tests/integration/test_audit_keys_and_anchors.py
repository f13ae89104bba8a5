"""The audit chain is keyed with a secret the database does not hold, and anchored outside it.

The attack these pin down, as the issue found it: a role that can write the database rewrites
an event behind the append-only triggers, recomputes the chain and stores it. Without the key
the recomputed links show (UNKEYED, or ALTERED under a wrong key); with the key only an anchor
taken before the rewrite shows it. A forged anchor is refused with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.audit_keys import audit_keys_from_text
from infrastructure.database import Database
from projections.audit.anchor import InvalidAnchorError, read_anchor, sign_anchor
from tests.support.audit import (
    anchor_now,
    as_superuser_without_triggers,
    chain_up,
    recompute_links,
    rewrite_event,
    verify,
)
from tests.support.ledgers import TEST_AUDIT_KEYS

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
KEYS = TEST_AUDIT_KEYS
OTHER_KEYS = audit_keys_from_text("b2" * 32)


def register(ledger: Ledger, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        ledger.register_customer(RegisterCustomer(f"P{n}", f"p{n}@example.org"), AGENT)


@pytest.fixture
def chained(ledger: Ledger, database: Database) -> Iterator[Ledger]:
    """Five customers registered (ten events), and the keyed chain caught up with them."""
    register(ledger, 5)
    chain_up(ledger, database, KEYS.chain)
    yield ledger


def test_a_rewrite_with_the_chain_recomputed_without_the_key_is_found_unkeyed(
    chained: Ledger, database: Database
) -> None:
    rewrite_event(database, 4)
    recompute_links(database, None, first=4)  # plain SHA-256, as the chain was before the key
    result = verify(database, KEYS)
    assert (result.first_altered_position, result.problem) == (4, "unkeyed")


def test_a_rewrite_with_the_chain_recomputed_under_another_key_is_found_altered(
    chained: Ledger, database: Database
) -> None:
    rewrite_event(database, 4)
    recompute_links(database, OTHER_KEYS.chain, first=4)
    result = verify(database, KEYS)
    assert (result.first_altered_position, result.problem) == (4, "altered")


def test_an_intact_log_matches_its_anchor_and_later_events_do_not_disturb_it(
    chained: Ledger, database: Database
) -> None:
    anchor = anchor_now(database, KEYS)
    register(chained, 2, first=5)
    chain_up(chained, database, KEYS.chain)
    result = verify(database, KEYS, anchor=anchor)
    assert result.intact and result.anchor_position == 10 and result.checked_to == 14


def test_an_anchor_finds_a_rewrite_before_it_even_by_someone_holding_the_key(
    chained: Ledger, database: Database
) -> None:
    anchor = anchor_now(database, KEYS)
    rewrite_event(database, 3)
    recompute_links(database, KEYS.chain, first=3)
    assert verify(database, KEYS).intact  # the key alone cannot tell
    result = verify(database, KEYS, anchor=anchor)
    assert (result.first_altered_position, result.problem) == (10, "anchor_mismatch")


def test_an_anchor_finds_the_end_of_the_log_cut_off_with_its_links(
    chained: Ledger, database: Database
) -> None:
    anchor = anchor_now(database, KEYS)
    as_superuser_without_triggers(
        database,
        "DELETE FROM ledger_events WHERE notification_id > 8;"
        " DELETE FROM audit_chain WHERE position > 8",
    )
    assert verify(database, KEYS).intact
    result = verify(database, KEYS, anchor=anchor)
    assert (result.first_altered_position, result.problem) == (10, "anchor_mismatch")


def test_an_anchor_with_an_altered_head_or_position_is_refused_as_forged(
    chained: Ledger, database: Database
) -> None:
    token = json.loads(anchor_now(database, KEYS))
    for field, value in (("head", "0" * 64), ("position", 9), ("at", "2020-01-01T00:00:00+00:00")):
        forged = json.dumps({**token, field: value})
        with pytest.raises(InvalidAnchorError, match="signature"):
            read_anchor(KEYS.anchor, forged)


def test_an_anchor_signed_with_another_key_is_refused(chained: Ledger, database: Database) -> None:
    ours = read_anchor(KEYS.anchor, anchor_now(database, KEYS))
    foreign = sign_anchor(OTHER_KEYS.anchor, ours.position, ours.head, ours.at)
    with pytest.raises(InvalidAnchorError, match="signature"):
        read_anchor(KEYS.anchor, foreign)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "one line of JSON"),
        ("[]", "not an audit anchor"),
        ('{"kind": "something-else"}', "not an audit anchor"),
        ('{"kind": "cxledger-audit-anchor-v1", "position": true}', "position"),
        ('{"kind": "cxledger-audit-anchor-v1", "position": 0}', "position"),
        ('{"kind": "cxledger-audit-anchor-v1", "position": 3, "head": "xyz"}', "head"),
        ("{" + " " * 1000 + "}", "at most"),
    ],
)
def test_a_malformed_anchor_is_refused_saying_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnchorError, match=reason):
        read_anchor(KEYS.anchor, text)


def test_a_signed_anchor_without_a_time_zone_is_refused() -> None:
    token = json.loads(sign_anchor(KEYS.anchor, 3, bytes(32), _naive()))
    with pytest.raises(InvalidAnchorError, match="time zone"):
        read_anchor(KEYS.anchor, json.dumps(token))


def _naive() -> datetime:
    return datetime(2027, 1, 1, 12, 0)
