"""Which customers an event is about, read from the event alone.

Only the aggregates that belong to a customer are indexed; survey definitions, the loyalty
program and its rewards, SLA policies, the referral program, knowledge-base articles and votes,
referral-code and email-claim index streams are about no one (or would name a customer where
the history must not: an email claim outlives the customer who held it). Feedback is about the
customer who gave it logged in (anonymous feedback names no customer).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.customer.model import Customer
from domain.feedback.model import Feedback
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.model import Purchase
from domain.referral.model import Referral, Referrer
from domain.survey.model import Invitation
from domain.ticket.model import Ticket

CUSTOMER_AGGREGATES: tuple[type[Aggregate], ...] = (
    Customer,
    Purchase,
    Invitation,
    LoyaltyAccount,
    Ticket,
    Referrer,
    Referral,
    Feedback,
)
SUBJECT_ATTRIBUTES = ("customer_id", "referrer_id", "friend_id")
"""Payload attributes that name a customer (UUIDs), wherever they appear."""


def _event_classes(aggregate: type[Aggregate]) -> list[type[Aggregate.Event]]:
    return [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
    ]


KIND_OF_EVENT: dict[type[Any], str] = {
    event_class: aggregate.__name__
    for aggregate in CUSTOMER_AGGREGATES
    for event_class in _event_classes(aggregate)
}
"""Each indexed event class, and the kind (aggregate class name) of the stream it is in."""

TOPICS: list[str] = sorted(get_topic(event_class) for event_class in KIND_OF_EVENT)


Customers = dict[int, UUID]
"""Customers by their ids' integers: a ``UUID`` hashes and compares in Python, its integer in C
(sets of ``UUID`` were a fifth of a customer_history batch's handling). Sorting the integers
sorts the ids (a ``UUID`` orders by its integer)."""


@dataclass(frozen=True, slots=True)
class IndexedEvent:
    """What the index needs of an indexed event class, found once per class."""

    topic: str
    event_type: str
    """The class's qualified name, e.g. ``Ticket.Resolved``."""
    stream_kind: str
    """The aggregate class name of the stream its events are in."""
    starts_a_stream: bool
    """It creates its aggregate: the customers it names own the stream."""
    names_itself: bool
    """A Customer event: it is about the customer whose stream it is in."""
    state_holds_subjects: bool
    """The class defines none of ``SUBJECT_ATTRIBUTES`` itself (no default, no property), so an
    event's subject attributes are found in its ``__dict__`` or nowhere."""


INDEXED: dict[type[Any], IndexedEvent] = {
    event_class: IndexedEvent(
        get_topic(event_class),
        event_class.__qualname__,
        kind,
        issubclass(event_class, Aggregate.Created),
        issubclass(event_class, Customer.Event),
        not any(hasattr(event_class, attribute) for attribute in SUBJECT_ATTRIBUTES),
    )
    for event_class, kind in KIND_OF_EVENT.items()
}


def _plain_attribute(cls: type[Any], name: str) -> bool:
    """The class lets an event's own ``__dict__`` answer for ``name`` (no property or other
    data descriptor of that name stands in front of it)."""
    kind = type(inspect.getattr_static(cls, name, None))
    return not (hasattr(kind, "__set__") or hasattr(kind, "__delete__"))


STORED_FIELDS = ("timestamp", "metadata", "class_version", *SUBJECT_ATTRIBUTES)
"""The fields of a stored event's state that the index reads (``class_version`` to tell that
no upcaster would change them)."""

INDEXED_BY_TOPIC: dict[str, tuple[IndexedEvent, int]] = {
    kind.topic: (kind, getattr(event_class, "class_version", 1))
    for event_class, kind in INDEXED.items()
    if kind.state_holds_subjects
    and _plain_attribute(event_class, "timestamp")
    and _plain_attribute(event_class, "metadata")
}
"""The indexed classes whose events a rebuild may index from their stored state alone (see
:func:`stored_indexed`), by topic, with the class version their upcasters lead to."""


def named_in(state: dict[str, Any], kind: IndexedEvent, stream_id: UUID) -> Customers:
    """The customers an event of ``kind`` names, from its decoded state (an event's
    ``__dict__``, or the fields of its stored state) and its stream id."""
    named: Customers = {}
    for attribute in SUBJECT_ATTRIBUTES:
        value = state.get(attribute)
        if value is not None and isinstance(value, UUID):
            named[value.int] = value
    if kind.names_itself:
        named[stream_id.int] = stream_id
    return named


def named_customers(event: Any, kind: IndexedEvent | None = None) -> Customers:
    """The customers the event itself names: a Customer's own id, and any UUID it carries
    under a subject attribute. ``kind``: the event class's entry of ``INDEXED``, if known.

    With it, an attribute is looked up in the event's ``__dict__`` (a ``dict.get``) where the
    class defines none of them: ``getattr`` with a default raised and caught an
    ``AttributeError`` inside for each attribute an event lacks, most of them (about 0.65 us
    an event against 0.25 us)."""
    if kind is not None and kind.state_holds_subjects:
        return named_in(event.__dict__, kind, event.originator_id)
    named: Customers = {}
    for attribute in SUBJECT_ATTRIBUTES:
        value = getattr(event, attribute, None)
        if isinstance(value, UUID):
            named[value.int] = value
    if isinstance(event, Customer.Event):
        named[event.originator_id.int] = event.originator_id
    return named
