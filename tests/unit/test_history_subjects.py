"""Which customers a history row names, found from an event's state (``named_customers`` with
its class's ``INDEXED`` entry) as ``getattr`` found them: the same customers for every indexed
event class, whichever subject attributes an event holds."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from projections.history.subjects import INDEXED, SUBJECT_ATTRIBUTES, named_customers


def _event(cls: type[Any], state: dict[str, Any]) -> Any:
    """An event of ``cls`` with ``state`` as its fields, as the mapper makes one."""
    event = object.__new__(cls)
    object.__setattr__(event, "__dict__", {"originator_id": uuid4(), **state})
    return event


@pytest.mark.parametrize("cls", sorted(INDEXED, key=str), ids=str)
def test_an_events_state_names_the_customers_getattr_named(cls: type[Any]) -> None:
    """Pins: the ``__dict__`` look-up (taken when the class defines no subject attribute,
    which holds for every indexed class today) names what the ``getattr`` look-up names."""
    kind = INDEXED[cls]
    assert kind.state_holds_subjects
    states: list[dict[str, Any]] = [
        {},
        {attribute: uuid4() for attribute in SUBJECT_ATTRIBUTES},
        {"customer_id": uuid4(), "friend_id": None},
        {"referrer_id": str(uuid4()), "friend_id": uuid4()},  # text: not an id
    ]
    for state in states:
        event = _event(cls, state)
        assert named_customers(event, kind) == named_customers(event)


def test_a_class_defining_a_subject_attribute_is_read_by_getattr() -> None:
    """Pins: a class-level subject attribute (a default, a property) keeps the ``getattr``
    path, which sees it where the event's state does not."""
    customer = uuid4()

    class WithDefault:
        customer_id = customer

    cls = next(iter(INDEXED))
    kind = INDEXED[cls]
    event = object.__new__(WithDefault)
    object.__setattr__(event, "__dict__", {"originator_id": uuid4()})
    as_class = type(kind)(
        kind.topic, kind.event_type, kind.stream_kind, kind.starts_a_stream, False, False
    )
    assert named_customers(event, as_class) == {customer.int: customer}
    assert isinstance(customer, UUID)
