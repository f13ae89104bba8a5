"""changeEmail by the customer themself, and confirmEmailChange, over HTTP.

Given two customers, when one asks to move to the other's address or to a free one, then both
answers are the same (their profile, unchanged) and both addresses get a confirmation link
through the outbox; following the link to the free address moves the customer, while the
taken one is refused to whoever holds its mailbox. Staff still change an email at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Role
from projections.outbox.queries import PendingNotification, pending_notifications_sync
from tests.api.helpers import registered, unique_email
from tests.api.steps import errors_of, events_of, mutate
from tests.support.outbox import opened, token_of
from tests.support.server import LiveApi, module_api

CONFIRM = "customerId position userErrors { field code message }"
OUTBOX_WAIT = 5.0


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def change_own_email(api: LiveApi, customer_id: str, email: str) -> dict[str, Any]:
    return mutate(
        api,
        "changeEmail",
        {"customerId": customer_id, "email": email},
        role=Role.CUSTOMER,
        subject=customer_id,
        selection="customer { id email version } userErrors { field code message }",
    )


def confirm(api: LiveApi, token: str) -> dict[str, Any]:
    return mutate(api, "confirmEmailChange", {"token": token}, role=None, selection=CONFIRM)


def link_to(api: LiveApi, address: str) -> PendingNotification:
    """The confirmation link queued for ``address`` (waiting for the outbox to show it)."""
    deadline = time.monotonic() + OUTBOX_WAIT
    while True:
        with api.database.connect() as conn:
            found = [
                n
                for n in pending_notifications_sync(conn, "email_change_confirmation", 1000)
                if opened(api.ledger, n).recipient == address
            ]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.05)


def test_asking_for_a_taken_or_a_free_address_is_answered_the_same(api: LiveApi) -> None:
    ada_email, taken, free = unique_email("ada"), unique_email("grace"), unique_email("free")
    ada = registered(api, email=ada_email)
    registered(api, name="Grace Hopper", email=taken)
    to_taken = change_own_email(api, ada, taken.upper())
    to_free = change_own_email(api, ada, free)
    assert to_taken["userErrors"] == to_free["userErrors"] == []
    assert to_taken["customer"]["email"] == to_free["customer"]["email"] == ada_email
    assert to_free["customer"]["version"] == to_taken["customer"]["version"] + 1
    asked = [type(e) for e in events_of(api, ada)][-2:]
    assert asked == [Customer.EmailChangeRequested] * 2
    # Each address gets a link; the taken one's owner sees a link for an account not theirs.
    assert link_to(api, taken).customer_id == link_to(api, free).customer_id


def test_following_the_link_moves_the_customer_once(api: LiveApi) -> None:
    ada, new = registered(api, email=unique_email("ada")), unique_email("new")
    change_own_email(api, ada, new)
    token = token_of(api.ledger, link_to(api, new))
    confirmed = confirm(api, token)
    assert confirmed["userErrors"] == [] and confirmed["customerId"] == ada
    assert isinstance(events_of(api, ada)[-1], Customer.EmailChanged)
    again = confirm(api, token)
    assert errors_of(again) == [("INVALID_CONFIRMATION_TOKEN", ["input", "token"])]


def test_the_link_to_a_taken_address_is_refused_and_writes_nothing(api: LiveApi) -> None:
    ada, taken = registered(api, email=unique_email("ada")), unique_email("grace")
    registered(api, name="Grace Hopper", email=taken)
    change_own_email(api, ada, taken)
    token = token_of(api.ledger, link_to(api, taken))
    head = api.quiet_head()
    refused = confirm(api, token)
    assert errors_of(refused) == [("EMAIL_ALREADY_REGISTERED", ["input", "email"])]
    assert refused["customerId"] is None and api.ledger.head_position() == head


@pytest.mark.parametrize("token", ["", "not-a-token", "0" * 32 + ".x"])
def test_a_forged_link_is_refused(api: LiveApi, token: str) -> None:
    head = api.quiet_head()
    assert errors_of(confirm(api, token)) == [("INVALID_CONFIRMATION_TOKEN", ["input", "token"])]
    assert api.ledger.head_position() == head


def test_staff_still_change_an_email_at_once_or_hear_it_is_taken(api: LiveApi) -> None:
    ada, taken = registered(api, email=unique_email("ada")), unique_email("grace")
    registered(api, name="Grace Hopper", email=taken)
    refused = mutate(api, "changeEmail", {"customerId": ada, "email": taken})
    assert errors_of(refused) == [("EMAIL_ALREADY_REGISTERED", ["input", "email"])]
    moved = mutate(api, "changeEmail", {"customerId": ada, "email": unique_email("new")})
    assert moved["userErrors"] == [] and isinstance(events_of(api, ada)[-1], Customer.EmailChanged)
