"""A rebuild of the customer history reads each event's row facts from its stored state's few
fields (``stored_indexed``) instead of making the event: the same facts as the event gives,
for every indexed event of a log that touches every customer aggregate; nothing (the event
decoded whole) where the stored state alone might say otherwise; and the rebuild's rows are
the live ones (``test_read_model_contract`` checks that for every read model)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from infrastructure.transcoder import LedgerTranscoder
from projections.history.projection import CustomerHistory, indexed_event, stored_indexed
from projections.history.subjects import INDEXED, TOPICS
from tests.integration.history_world import populate
from tests.support import read_models


def _transcoder(ledger: Ledger) -> LedgerTranscoder:
    transcoder = ledger.undisclosed_mapper.transcoder
    assert isinstance(transcoder, LedgerTranscoder)
    return transcoder


def _indexed_rows(ledger: Ledger) -> list[Notification]:
    return list(ledger.recorder.select_notifications(start=1, limit=10_000, topics=TOPICS))


def _with_state(row: Notification, state: dict[str, Any] | bytes) -> Notification:
    stored = state if isinstance(state, bytes) else orjson.dumps(state)
    return Notification(
        id=row.id,
        originator_id=row.originator_id,
        originator_version=row.originator_version,
        topic=row.topic,
        state=stored,
    )


def test_every_indexed_event_gives_from_its_stored_state_what_the_event_gives(
    ledger: Ledger,
) -> None:
    populate(ledger)
    fields_of = _transcoder(ledger).decode_fields
    rows = _indexed_rows(ledger)
    kinds = set()

    for row in rows:
        event = ledger.undisclosed_mapper.to_domain_event(row)
        kind = INDEXED[type(event)]
        kinds.add(kind.event_type)
        assert stored_indexed(row, fields_of) == indexed_event(row.id, event, kind), row.topic
    assert len(kinds) >= 15  # every aggregate of the world, several kinds of event each


def test_a_state_an_upcaster_would_change_is_left_to_the_whole_decoding(ledger: Ledger) -> None:
    """Pins: a stored class version below the class's (``Invitation.Responded`` is at 2) is
    never read from its fields: its upcaster might change them."""
    populate(ledger)
    fields_of = _transcoder(ledger).decode_fields
    (row,) = [row for row in _indexed_rows(ledger) if row.topic.endswith("Invitation.Responded")]
    state = orjson.loads(row.state)
    assert state["class_version"] == resolve_topic(row.topic).class_version == 2
    assert stored_indexed(row, fields_of) is not None

    older = _with_state(row, {**state, "class_version": 1})

    assert stored_indexed(older, fields_of) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda state: {k: v for k, v in state.items() if k != "metadata"},
        lambda state: {**state, "timestamp": "2026-12-07T00:00:00+00:00"},  # untagged text
        lambda state: {**state, "metadata": {"_type_": "uuid_hex", "_data_": "0" * 32}},
        lambda state: orjson.dumps(state)[:-1] + b',"x":NaN}',  # JSON only json reads
        lambda state: orjson.dumps(state)[:-1] + b',"customer_id":18446744073709551616}',
    ],
    ids=["no metadata", "untagged time", "metadata of another type", "NaN", "long integer"],
)
def test_a_state_unlike_the_usual_is_left_to_the_whole_decoding(
    ledger: Ledger, change: Any
) -> None:
    populate(ledger)
    fields_of = _transcoder(ledger).decode_fields
    row = _indexed_rows(ledger)[0]

    assert stored_indexed(_with_state(row, change(orjson.loads(row.state))), fields_of) is None


def test_a_rebuild_decodes_whole_what_its_stored_state_cannot_give(
    ledger: Ledger, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pins: the events the stored states give nothing for (here: every other one), or fail
    on (here: the rest), still reach the index, through the ledger's decoding."""
    populate(ledger)
    read_models.project(ledger, database, CustomerHistory(), 4)
    live = _history_rows(database)
    calls = []

    def every_other(self: CustomerHistory, row: Notification, fields_of: Any) -> Any:
        calls.append(row.id)
        if row.id % 2:
            return None
        if row.id % 4:
            raise ValueError("not from the stored state")
        return stored_indexed(row, fields_of)

    monkeypatch.setattr(CustomerHistory, "from_stored", every_other)
    rebuild(ledger, database, CustomerHistory(), batch_size=5)

    assert _history_rows(database) == live
    assert sorted(set(calls)) == [row.id for row in _indexed_rows(ledger)]


def _history_rows(database: Database) -> list[Any]:
    with database.connect() as conn:
        return [
            *conn.execute("SELECT * FROM customer_history ORDER BY position, customer_id"),
            *conn.execute("SELECT * FROM customer_history_streams ORDER BY stream_id, customer_id"),
        ]
