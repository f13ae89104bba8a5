"""A rebuild's reader thread decodes the next batch ahead (``decode_ahead``): what it decodes
is what applying the batch then reads, and a row it cannot decode is left for applying to
decode again, where its error is raised (and the row retried and parked)."""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalDataUnreadableError
from infrastructure.crypto import InMemorySubjectKeys
from infrastructure.log_batch import DecodeOnce, LogBatch
from infrastructure.projection_runner import decode_ahead
from projections.customers.projection import CustomerDirectory
from projections.history.projection import CustomerHistory
from tests.support.ledgers import in_memory_ledger

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.WEB)


class UnreadableKeys(InMemorySubjectKeys):
    """Keys that can be made unreadable, as a foreign master key makes them."""

    unreadable = False

    def key_for(self, subject_id: UUID) -> bytes | None:
        if self.unreadable:
            raise PersonalDataUnreadableError("test: this key does not unwrap")
        return super().key_for(subject_id)


def _batch() -> tuple[UnreadableKeys, LogBatch]:
    keys = UnreadableKeys()
    ledger = in_memory_ledger(keys)
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    ledger.register_customer(RegisterCustomer("Bo", "bo@example.org"), AGENT)
    rows: list[Notification] = list(ledger.recorder.select_notifications(start=1, limit=10))
    decode = DecodeOnce(ledger.mapper, ledger.undisclosed_mapper)
    return keys, LogBatch(0, rows[-1].id, rows, decode)


def test_rows_decoded_ahead_are_the_events_applying_the_batch_reads() -> None:
    keys, batch = _batch()
    decode_ahead(CustomerDirectory(), batch)
    keys.unreadable = True  # applying decodes nothing again: no key is asked for
    assert batch.decode(batch.rows[0]).name.value == "Ada"


def test_a_reader_of_no_personal_data_gets_its_rows_decoded_undisclosed() -> None:
    keys, batch = _batch()
    keys.unreadable = True  # no key is asked for: nothing fails
    decode_ahead(CustomerHistory(), batch)
    assert batch.decode.undisclosed(batch.rows[0]).name.value is None


def test_a_row_that_fails_to_decode_ahead_is_left_to_fail_where_it_is_applied() -> None:
    keys, batch = _batch()
    keys.unreadable = True
    decode_ahead(CustomerDirectory(), batch)  # raises nothing
    with pytest.raises(PersonalDataUnreadableError):
        batch.decode(batch.rows[0])
    keys.unreadable = False  # fixed: the next try decodes it
    assert batch.decode(batch.rows[0]).name.value == "Ada"
