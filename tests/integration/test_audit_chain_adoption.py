"""A chain an earlier version built with plain SHA-256 links is handled explicitly: it fails as
UNKEYED until an operator adopts it, which checks it and records under the key where the keyed
links begin. Nothing an attacker without the key writes can stand in for that record."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import psycopg
import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from projections.audit.anchoring import Adoption, adopt_unkeyed_links
from tests.support.audit import (
    as_superuser_without_triggers,
    chain_up,
    recompute_links,
    rewrite_event,
    verify,
)
from tests.support.ledgers import TEST_AUDIT_KEYS

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
KEYS = TEST_AUDIT_KEYS


def register(ledger: Ledger, names: range) -> None:
    for n in names:
        ledger.register_customer(RegisterCustomer(f"P{n}", f"p{n}@example.org"), AGENT)


def adopt(database: Database) -> Adoption:
    async def run() -> Adoption:
        async with await psycopg.AsyncConnection.connect(database.conninfo) as conn:
            return await adopt_unkeyed_links(conn, KEYS.chain)

    return asyncio.run(run())


def keying_rows(database: Database) -> list[tuple[int]]:
    with database.connect() as conn:
        return [(int(r[0]),) for r in conn.execute("SELECT keyed_from FROM audit_chain_keying")]


@pytest.fixture
def upgraded(ledger: Ledger, database: Database) -> Iterator[Ledger]:
    """Ten events chained by an earlier version (plain SHA-256), then four chained by this one."""
    register(ledger, range(5))
    chain_up(ledger, database, KEYS.chain)
    recompute_links(database, None)  # what the earlier version had stored
    register(ledger, range(5, 7))
    chain_up(ledger, database, KEYS.chain)
    yield ledger


def test_an_earlier_versions_unkeyed_links_fail_verification_until_adopted(
    upgraded: Ledger, database: Database
) -> None:
    result = verify(database, KEYS)
    assert (result.first_altered_position, result.problem, result.keyed_from) == (1, "unkeyed", 1)


def test_adopting_records_where_the_keyed_links_begin_and_the_chain_then_verifies(
    upgraded: Ledger, database: Database
) -> None:
    adoption = adopt(database)
    assert (adoption.outcome, adoption.keyed_from) == ("adopted", 11)
    assert adoption.verification.intact
    result = verify(database, KEYS)
    assert result.intact and result.keyed_from == 11 and result.events_checked == 14
    assert adopt(database).outcome == "already adopted"
    assert keying_rows(database) == [(11,)]


def test_a_deleted_keying_record_brings_the_unkeyed_links_back_to_light(
    upgraded: Ledger, database: Database
) -> None:
    adopt(database)
    as_superuser_without_triggers(database, "DELETE FROM audit_chain_keying")
    assert (verify(database, KEYS).first_altered_position, verify(database, KEYS).problem) == (
        1,
        "unkeyed",
    )


def test_a_keying_record_written_without_the_key_is_ignored_and_not_adopted_over(
    upgraded: Ledger, database: Database
) -> None:
    as_superuser_without_triggers(
        database, "INSERT INTO audit_chain_keying (keyed_from, mac) VALUES (11, '\\x00')"
    )
    assert verify(database, KEYS).problem == "unkeyed"
    assert adopt(database).outcome == "forged record"


def test_adopting_refuses_a_chain_whose_unkeyed_part_does_not_match_its_rows(
    upgraded: Ledger, database: Database
) -> None:
    rewrite_event(database, 3)
    adoption = adopt(database)
    assert adoption.outcome == "refused"
    assert (adoption.verification.first_altered_position, adoption.verification.problem) == (
        3,
        "altered",
    )
    assert keying_rows(database) == []


def test_an_attacker_who_recomputes_a_keyed_chain_unkeyed_cannot_pass_it_off_as_older(
    ledger: Ledger, database: Database
) -> None:
    register(ledger, range(3))
    chain_up(ledger, database, KEYS.chain)
    rewrite_event(database, 2)
    recompute_links(database, None)  # the whole chain, as if an earlier version built it
    result = verify(database, KEYS)
    assert (result.first_altered_position, result.problem) == (1, "unkeyed")
    assert adopt(database).outcome == "no keyed link yet"  # no link this version made after
    assert keying_rows(database) == []


def test_a_chain_keyed_from_the_start_needs_no_adoption(ledger: Ledger, database: Database) -> None:
    register(ledger, range(2))
    chain_up(ledger, database, KEYS.chain)
    adoption = adopt(database)
    assert (adoption.outcome, adoption.keyed_from) == ("keyed from the start", 1)
    assert keying_rows(database) == []
