"""The ledger's mapper (``domain.shared.mapper``) decodes each stored event into the very event
the library's ``Mapper.to_domain_event`` makes: the same class and state, personal values
unsealed (or unread, undisclosed), older class versions upcast; unreadable personal data is
still its own typed error."""

from __future__ import annotations

import zlib
from typing import Any

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import Mapper, StoredEvent

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.ledger import Ledger
from domain.shared.mapper import PersonalDataMapper
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalDataUnreadableError
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.crypto import InMemorySubjectKeys
from tests.support.ledgers import in_memory_ledger

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.WEB)


def stored_log(ledger: Ledger) -> list[StoredEvent]:
    """A customer's events, a ticket's opening, and that opening as stored at version 1."""
    customer = ledger.register_customer(RegisterCustomer("Ada", "a@b.org"), AGENT).aggregate_id
    change = ChangeContactDetails(customer, name="Ada L.", phone="+3312345")
    ledger.change_contact_details(change, AGENT)
    command = OpenTicket(customer, TicketChannel.WEB, "billing", "Invoice", "Wrong total")
    ticket = ledger.open_ticket(command, AGENT).aggregate_id
    events = ledger.history(customer) + ledger.history(ticket)
    stored = [ledger.mapper.to_stored_event(event) for event in events]
    opened = stored[-1]
    state = ledger.mapper.transcoder.decode(opened.state)
    for version_2 in ("subject_id", "requester", "requester_email", "class_version"):
        del state[version_2]
    v1 = StoredEvent(opened.originator_id, 1, opened.topic, ledger.mapper.transcoder.encode(state))
    return [*stored, v1]


def as_compared(event: Any) -> tuple[type, dict[str, Any]]:
    return type(event), vars(event)


@pytest.mark.parametrize("undisclosed", [False, True], ids=["disclosed", "undisclosed"])
def test_every_event_decodes_as_the_library_decodes_it(undisclosed: bool) -> None:
    ledger = in_memory_ledger()
    mapper = ledger.undisclosed_mapper if undisclosed else ledger.mapper
    assert isinstance(mapper, PersonalDataMapper)
    stored = stored_log(ledger)

    ours = [mapper.to_domain_event(row) for row in stored]
    librarys = [Mapper.to_domain_event(mapper, row) for row in stored]

    assert [as_compared(event) for event in ours] == [as_compared(e) for e in librarys]
    assert len({type(event) for event in ours}) >= 4


def test_personal_data_that_cannot_be_decrypted_is_its_own_error() -> None:
    keys = InMemorySubjectKeys()
    ledger = in_memory_ledger(keys)
    stored = stored_log(ledger)[0]
    subject, key = next(iter(keys._keys.items()))
    keys._keys[subject] = bytes(len(key))  # another key: the seal's integrity check fails

    with pytest.raises(PersonalDataUnreadableError):
        ledger.mapper.to_domain_event(stored)


def test_every_event_encodes_as_the_library_encodes_it() -> None:
    """The ledger's ``to_stored_event`` (each class's topic and version read once) stores each
    event as the library's does: the same id, version and topic, a state that decodes to the
    same values (personal values are sealed under fresh nonces, so not the same bytes), the
    class version of an upcast class (a ticket's opening is at version 2) included."""
    ledger = in_memory_ledger()
    mapper = ledger.mapper
    customer = ledger.register_customer(RegisterCustomer("Ada", "a@b.org"), AGENT).aggregate_id
    command = OpenTicket(customer, TicketChannel.WEB, "billing", "Invoice", "Wrong total")
    ticket = ledger.open_ticket(command, AGENT).aggregate_id
    events = ledger.history(customer) + ledger.history(ticket)
    for _ in range(2):  # the classes unknown, then known
        ours = [mapper.to_stored_event(event) for event in events]
        librarys = [Mapper.to_stored_event(mapper, event) for event in events]
        assert [(s.originator_id, s.originator_version, s.topic) for s in ours] == [
            (s.originator_id, s.originator_version, s.topic) for s in librarys
        ]
        decode = mapper.transcoder.decode
        assert [decode(s.state) for s in ours] == [decode(s.state) for s in librarys]
    assert decode(ours[-1].state)["class_version"] == 2


def test_a_compressed_mappers_events_are_encoded_the_librarys_way() -> None:
    """With a compressor (or a cipher) the library's ``to_stored_event`` runs, whole: the
    stored state is compressed, and reads back to the event."""
    ledger = in_memory_ledger()
    mapper = ledger.mapper
    assert isinstance(mapper, PersonalDataMapper)
    customer = ledger.register_customer(RegisterCustomer("Ada", "a@b.org"), AGENT).aggregate_id
    event = ledger.history(customer)[0]
    mapper.compressor = ZlibCompressor()
    stored = mapper.to_stored_event(event)
    assert mapper.transcoder.decode(zlib.decompress(stored.state))["email_fingerprint"]
    assert as_compared(mapper.to_domain_event(stored)) == as_compared(event)
