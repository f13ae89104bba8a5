"""The ledger's mapper (``domain.shared.mapper``) decodes each stored event into the very event
the library's ``Mapper.to_domain_event`` makes: the same class and state, personal values
unsealed (or unread, undisclosed), older class versions upcast; unreadable personal data is
still its own typed error."""

from __future__ import annotations

from typing import Any

import pytest
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
