"""Snapshots and erasure (issue 14 item 2): a snapshot of a long-lived aggregate seals the
personal values in it with their subject's key, as events do, so that after an erasure neither
the snapshot taken before it nor one taken after holds anything readable (on a real
PostgreSQL, with the customer of the erasure proof)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from domain.customer.profile import ConsentPurpose
from domain.ledger import SNAPSHOT_EVERY, Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.referral.model import Referrer
from infrastructure.database import Database
from tests.integration.erasure_world import AGENT, World, erase, populate, scan

SNAPSHOTS = "public.ledger_snapshots"


def _grown(ledger: Ledger, database: Database) -> World:
    """The erasure proof's customer, past a snapshot of her own and of her other streams."""
    world = populate(ledger, database, loyalty_events=1)
    for _ in range(SNAPSHOT_EVERY // 2 + 1):  # one event each: her stream crosses an interval
        ledger.give_consent(world.customer, ConsentPurpose.MARKETING, AGENT)
        ledger.withdraw_consent(world.customer, ConsentPurpose.MARKETING, AGENT)
    ledger.take_snapshot(Referrer.id_for(world.customer))
    ledger.take_snapshot(LoyaltyAccount.id_for(world.customer))
    return world


def _latest_state(ledger: Ledger, aggregate_id: UUID) -> dict[str, Any]:
    assert ledger.snapshots is not None
    stored = ledger.snapshots.recorder.select_events(aggregate_id, desc=True, limit=1)
    assert stored, "no snapshot"
    state: dict[str, Any] = json.loads(stored[0].state)["state"]
    return state


def _sealed_values(state: dict[str, Any], subject: UUID) -> list[str]:
    """The ciphertexts in a stored state sealed for ``subject`` (empty once erased)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            data: Any = value.get("_data_")
            if value.get("_type_") == "pd" and data["s"] == subject.hex and data["c"]:
                found.append(data["c"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(state)
    return found


def test_a_customers_snapshot_is_taken_by_the_interval_and_holds_no_value_in_clear(
    ledger: Ledger, database: Database
) -> None:
    world = _grown(ledger, database)
    state = _latest_state(ledger, world.customer)
    with database.connect() as conn:
        report = scan(conn, world.values)
    assert len(_sealed_values(state, world.customer)) >= 4  # name, email, phone, address, ...
    assert [what for what, tables in report.found.items() if SNAPSHOTS in tables] == []


def test_after_erasure_a_snapshot_before_it_reads_as_erased_and_one_after_holds_no_cipher(
    ledger: Ledger, database: Database
) -> None:
    world = _grown(ledger, database)
    before = ledger.get_customer(world.customer)
    assert before.name.value is not None

    erase(ledger, world.customer)
    loaded = ledger.get_customer(world.customer)  # from the snapshot taken before the erasure
    assert loaded.name.is_erased and loaded.email.is_erased
    assert loaded.address is not None and loaded.address.is_erased
    ledger.take_snapshot(world.customer)  # the erasure added an event to her stream
    assert _sealed_values(_latest_state(ledger, world.customer), world.customer) == []
    after = ledger.get_customer(world.customer)  # from the snapshot taken after it
    assert after.name.is_erased and after.version == loaded.version
    with database.connect() as conn:
        report = scan(conn, world.values)
    assert [what for what, tables in report.found.items() if SNAPSHOTS in tables] == []
