"""A rebuild of a read model that reads the personal values of only some of its events
(``personal_data_of``): its other events decode with their personal values unread (no key
fetched, nothing decrypted), the ones it names decode whole; a read model that names none
decodes every event whole, as before."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from eventsourcing.utils import get_topic
from psycopg import Cursor

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from projections.base import Projection, handles
from projections.loyalty.projection import LoyaltyStatements
from projections.referrals.projection import ReferralFunnel
from projections.segments.projection import SegmentMembership
from projections.surveys.projection import SurveyDashboard

NAME = "test_names_disclosed"


class Names(Projection):
    """One row per registration and name change, with the name as decoded (NULL if unread)."""

    name = NAME
    tables = (NAME,)
    ddl = f"CREATE TABLE IF NOT EXISTS {NAME} (position bigint PRIMARY KEY, name text)"

    @handles(Customer.Registered)
    def registered(self, cursor: Cursor[Any], event: Customer.Registered, position: int) -> None:
        self._row(cursor, position, event.name.value)

    @handles(Customer.NameChanged)
    def renamed(self, cursor: Cursor[Any], event: Customer.NameChanged, position: int) -> None:
        self._row(cursor, position, event.name.value)

    def _row(self, cursor: Cursor[Any], position: int, name: str | None) -> None:
        cursor.execute(f"INSERT INTO {NAME} VALUES (%s, %s)", (position, name))


class RenamesOnly(Names):
    """Reads the personal values of name changes only."""

    personal_data_of = frozenset({Customer.NameChanged})


def names(database: Database) -> list[str | None]:
    with database.connect() as conn:
        return [r[0] for r in conn.execute(f"SELECT name FROM {NAME} ORDER BY position")]


@pytest.fixture
def renamed(ledger: Ledger, agent: EventMetadata) -> None:
    """Ada registers and becomes Ada B; Bo registers."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.change_contact_details(ChangeContactDetails(ada.aggregate_id, name="Ada B"), agent)
    ledger.register_customer(RegisterCustomer("Bo", "bo@example.org"), agent)


def _prefetched(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> list[Sequence[bytes]]:
    """Every list of stored states the rebuild fetches keys for, as it asks."""
    asked: list[Sequence[bytes]] = []
    prepare = ledger.prepare_to_decode

    def recording(states: Sequence[bytes]) -> None:
        asked.append(list(states))
        prepare(states)

    monkeypatch.setattr(ledger, "prepare_to_decode", recording)
    return asked


def test_events_not_named_decode_unread_and_fetch_no_key(
    ledger: Ledger, database: Database, renamed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pins: registrations (not named) come with their personal values unread, the name change
    (named) opened; keys are fetched for the name change's state only."""
    asked = _prefetched(ledger, monkeypatch)

    rebuild(ledger, database, RenamesOnly(), batch_size=100)

    assert names(database) == [None, "Ada B", None]
    states = [state for batch in asked for state in batch]
    assert len(states) == 1
    assert b"Ada B" not in states[0]  # sealed, of course: the name change's own state


def test_a_read_model_naming_none_decodes_every_event_whole(
    ledger: Ledger, database: Database, renamed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pins: without ``personal_data_of``, every event's values are opened and every state's
    keys fetched, as before."""
    asked = _prefetched(ledger, monkeypatch)

    rebuild(ledger, database, Names(), batch_size=100)

    assert names(database) == ["Ada", "Ada B", "Bo"]
    assert sum(len(batch) for batch in asked) == 3


@pytest.mark.parametrize(
    "model",
    [SurveyDashboard, SegmentMembership, LoyaltyStatements, ReferralFunnel],
    ids=lambda m: m.name,
)
def test_the_events_a_read_model_names_are_among_those_it_reads(model: type[Projection]) -> None:
    """Pins the read models' ``personal_data_of``: each class named is one of their topics (a
    class named by mistake would leave the ones meant unread). That they read no other
    personal value is checked by the rebuild's equality with the live rows
    (``test_set_based_projections``)."""
    named = {get_topic(event_class) for event_class in model.personal_data_of}  # type: ignore[attr-defined]
    assert named
    assert named <= set(model.topics())
