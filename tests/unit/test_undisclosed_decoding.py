"""A read model that stores no personal value decodes the log without opening it: no key is
looked up, nothing is decrypted, and its personal values read as unread (None)."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from domain.customer.commands import RegisterCustomer
from domain.customer.model import Customer
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalData, PersonalDataUndisclosed
from infrastructure.crypto import InMemorySubjectKeys
from infrastructure.log_batch import DecodeOnce
from tests.support.ledgers import in_memory_ledger

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.WEB)


class CountingKeys(InMemorySubjectKeys):
    def __init__(self) -> None:
        super().__init__()
        self.looked_up = 0

    def key_for(self, subject_id: UUID) -> bytes | None:
        self.looked_up += 1
        return super().key_for(subject_id)

    def keys_for(self, subject_ids: Collection[UUID]) -> dict[UUID, bytes]:
        self.looked_up += len(subject_ids)
        return super().keys_for(subject_ids)


def _registered() -> tuple[CountingKeys, DecodeOnce, Notification, UUID]:
    keys = CountingKeys()
    ledger = in_memory_ledger(keys)
    customer = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    (row, *_) = ledger.recorder.select_notifications(start=1, limit=10)
    keys.looked_up = 0
    return keys, DecodeOnce(ledger.mapper, ledger.undisclosed_mapper), row, customer.aggregate_id


def test_an_undisclosed_decode_looks_up_no_key_and_leaves_personal_values_unread() -> None:
    keys, decode, row, customer = _registered()
    event = decode.undisclosed(row)
    assert isinstance(event, Customer.Registered)
    assert event.name == PersonalData(customer, None)
    assert event.originator_id == customer and event.metadata == AGENT
    assert keys.looked_up == 0


def test_an_event_already_decoded_whole_serves_an_undisclosed_reader() -> None:
    _, decode, row, _ = _registered()
    whole = decode(row)
    assert decode.undisclosed(row) is whole
    assert whole.name.value == "Ada"


def test_the_undisclosed_transcoding_never_writes_personal_data() -> None:
    with pytest.raises(TypeError):
        PersonalDataUndisclosed().encode(PersonalData(UUID(int=1), "Ada"))
