"""registerCustomer's payload without reading the customer back, when it need not be.

A registration's payload used to read the new customer's directory row after the wait for the
directory to show the write: one pooled connection and one query a registration (a tenth of
the server's CPU per registration over HTTP). When the payload's ``customer`` asks for nothing
but its ``id`` (and ``__typename``), that read can answer nothing the write did not already
say: the id is the registered aggregate's, which the directory row carries unchanged, and a
directory that has reached the write's position has the row (it never deletes one; an erasure
keeps it, with its personal fields null). So the answer is the same and needs no read.

Any other field of the customer (its name, version, registration time, anything from the
read model) is read as before, as is the customer of a wait that timed out (the row may or
may not be there then) and of a registration with a referral code (its result is the
conversion's).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graphql_api.customers.types import CustomerType
from graphql_api.mutation import Fields, Info

ANSWERED_BY_THE_WRITE = frozenset({"id", "__typename"})
"""The customer's fields a registration's outcome answers as the directory would."""


def asks_only_the_id(info: Info) -> bool:
    """Whether every ``customer`` selected in this mutation field's payload asks only for
    fields in ``ANSWERED_BY_THE_WRITE`` (fragments and inline fragments looked into)."""
    for payload in info.selected_fields:
        for field in _fields(payload.selections):
            if field.name == "customer" and any(
                inner.name not in ANSWERED_BY_THE_WRITE for inner in _fields(field.selections)
            ):
                return False
    return True


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    """The fields of a selection set, with those of its fragments, at this level only."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def registered_customer(customer_id: UUID) -> Fields:
    """The payload's customer of a registration shown in time, for a selection of its id
    only (``asks_only_the_id``): nothing else is set, so a field read by mistake fails
    loudly (an error for that field) rather than showing something the directory did not."""
    customer = CustomerType.__new__(CustomerType)
    customer.id = strawberry.ID(str(customer_id))
    return {"customer": customer, "customer_id": customer_id}
