"""Issue 16: look-alike emails registered as distinct accounts. Over HTTP, on a real
PostgreSQL: a compatibility form of a registered address is the same address (refused as
already registered, and it logs in), and an invisible or mixed-script one is refused on the
email field; neither writes anything."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.api.helpers import register, unique_email
from tests.support.server import LiveApi, module_api

PASSWORD = "correct horse battery"
LOG_IN = "mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_a_fullwidth_copy_of_a_registered_email_is_already_registered(api: LiveApi) -> None:
    email = unique_email()
    assert register(api, email=email)["userErrors"] == []
    head = api.quiet_head()
    payload = register(api, email=fullwidth(email))
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("EMAIL_ALREADY_REGISTERED", ["input", "email"])
    ]
    assert api.ledger.head_position() == head


def test_a_customer_logs_in_with_a_fullwidth_copy_of_their_email(api: LiveApi) -> None:
    email = unique_email()
    assert register(api, email=email, role=None, password=PASSWORD)["userErrors"] == []
    response = api.graphql(LOG_IN, {"i": {"email": fullwidth(email), "password": PASSWORD}})
    assert response.json()["data"]["logIn"]["userErrors"] == []


@pytest.mark.parametrize(
    "disguise",
    [
        lambda email: "\u0430" + email[1:],  # Cyrillic a for the first letter
        lambda email: email.replace("@", "\u200b@"),  # zero-width space
        lambda email: email.replace("@", "\u00ad@"),  # soft hyphen
        lambda email: "\u202e" + email,  # right-to-left override
        lambda email: email.replace("example", "ex\u0430mple"),  # Cyrillic a in the domain
    ],
    ids=["cyrillic", "zero-width", "soft-hyphen", "bidi", "cyrillic-domain"],
)
def test_a_disguised_copy_of_a_registered_email_is_refused_on_the_email_field(
    api: LiveApi, disguise: Callable[[str], str]
) -> None:
    email = unique_email()
    assert register(api, email=email)["userErrors"] == []
    head = api.quiet_head()
    payload = register(api, email=disguise(email))
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", "email"])
    ]
    assert payload["customer"] is None
    assert api.ledger.head_position() == head
