"""Customer.version is the aggregate's version after every kind of Customer event, so the
documented round trip (read `version`, send it back as `expectedVersion`) never conflicts,
whether or not the Customer 360 shows anything of the event (a password set, a reset link).

The event kinds come from the aggregate itself: a new event class without a step here fails.
The tests share one server: each registers its customers under emails of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Role
from tests.api.helpers import unique_email
from tests.api.steps import events_of, mutate
from tests.support.server import LiveApi, module_api

PASSWORD = "correct horse 42!"
NEW_PASSWORD = "a brand new passphrase"
Step = Callable[[LiveApi], tuple[str, str]]
"""Makes the API record one kind of Customer event as the stream's last; returns the customer
and the position to read at."""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def self_registered(api: LiveApi, email: str | None = None) -> tuple[str, str]:
    """A customer who registered themself with a password (Registered, then PasswordSet).
    The anonymous answer is neutral, so the test chooses the id and reads at the log's head."""
    customer_id = str(uuid4())
    register_anonymously(api, customer_id, email or unique_email())
    return customer_id, str(api.ledger.head_position())


def register_anonymously(api: LiveApi, customer_id: str, email: str) -> None:
    payload = mutate(
        api,
        "registerCustomer",
        {"customerId": customer_id, "name": "Ada Lovelace", "email": email, "password": PASSWORD},
        role=None,
    )
    assert payload["userErrors"] == [], payload


def registration_attempted(api: LiveApi) -> tuple[str, str]:
    """Someone else registers with a customer's email: the owner's stream records it."""
    email = unique_email()
    customer_id, _ = self_registered(api, email)
    register_anonymously(api, str(uuid4()), email)
    return customer_id, str(api.ledger.head_position())


def email_change_requested(api: LiveApi) -> tuple[str, str]:
    """The customer asks to move to another address (pending until confirmed)."""
    customer_id, _ = self_registered(api)
    payload = mutate(
        api,
        "changeEmail",
        {"customerId": customer_id, "email": unique_email("moved")},
        role=Role.CUSTOMER,
        subject=customer_id,
    )
    assert payload["userErrors"] == [], payload
    return customer_id, str(api.ledger.head_position())


def as_agent(mutation: str, **fields: Any) -> Step:
    """A step: a self-registered customer, then ``mutation`` on them by an agent."""

    def step(api: LiveApi) -> tuple[str, str]:
        customer_id, _ = self_registered(api)
        payload = mutate(api, mutation, {"customerId": customer_id, **fields})
        assert payload["userErrors"] == [], payload
        return customer_id, payload["position"]

    return step


def registered_by_an_agent(api: LiveApi) -> tuple[str, str]:
    payload = mutate(api, "registerCustomer", {"name": "Ada Lovelace", "email": unique_email()})
    return payload["customer"]["id"], payload["position"]


def reset_link_requested(api: LiveApi) -> tuple[str, str]:
    email = unique_email()
    customer_id, _ = self_registered(api, email)
    request_reset(api, email)
    return customer_id, str(api.ledger.head_position())


def password_reset(api: LiveApi) -> tuple[str, str]:
    """The reported scenario: a reset link (unshown) and the new password (unshown)."""
    email = unique_email()
    customer_id, _ = self_registered(api, email)
    request_reset(api, email)
    reset = api.graphql(
        "mutation R($input: ResetPasswordInput!) { resetPassword(input: $input) {"
        " customerId userErrors { code } } }",
        {"input": {"token": reset_token(api, customer_id), "newPassword": NEW_PASSWORD}},
    )
    assert reset.json()["data"]["resetPassword"]["userErrors"] == [], reset.text
    return customer_id, str(api.ledger.head_position())


def request_reset(api: LiveApi, email: str) -> None:
    response = api.graphql(
        "mutation Q($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input)"
        " { accepted } }",
        {"input": {"email": email}},
    )
    assert response.json()["data"]["requestPasswordReset"]["accepted"] is True, response.text


def reset_token(api: LiveApi, customer_id: str) -> str:
    requested = [
        e for e in events_of(api, customer_id) if isinstance(e, Customer.PasswordResetRequested)
    ]
    token = requested[-1].token.value
    assert isinstance(token, str)
    return token


def consent_withdrawn(api: LiveApi) -> tuple[str, str]:
    customer_id, _ = as_agent("giveConsent", purpose="RESEARCH")(api)
    payload = mutate(api, "withdrawConsent", {"customerId": customer_id, "purpose": "RESEARCH"})
    return customer_id, payload["position"]


STEPS: dict[type[Customer.Event], Step] = {
    Customer.Registered: registered_by_an_agent,
    Customer.NameChanged: as_agent("changeContactDetails", name="Ada King"),
    Customer.EmailChanged: as_agent("changeEmail", email=unique_email("king")),
    Customer.PhoneChanged: as_agent("changeContactDetails", phone="+44 20 7946 0000"),
    Customer.AddressChanged: as_agent(
        "changeAddress",
        address={"line1": "12 St James's Square", "city": "London", "country": "GB"},
    ),
    Customer.RegionChanged: as_agent("changeDemographics", region="EU"),
    Customer.LanguageChanged: as_agent("changeDemographics", language="en-GB"),
    Customer.BirthYearChanged: as_agent("changeDemographics", birthYear=1990),
    Customer.ContactChannelOptedIn: as_agent("setContactPreferences", email=True),
    Customer.ContactChannelOptedOut: as_agent("setContactPreferences", sms=False),
    Customer.ConsentGiven: as_agent("giveConsent", purpose="MARKETING"),
    Customer.ConsentWithdrawn: consent_withdrawn,
    Customer.ConsentRefused: as_agent("withdrawConsent", purpose="TESTIMONIALS"),
    Customer.OnboardingStepCompleted: as_agent("completeOnboardingStep", step="app_installed"),
    Customer.PasswordSet: self_registered,
    Customer.PasswordResetRequested: reset_link_requested,
    Customer.SessionsRevoked: password_reset,
    Customer.RegistrationAttempted: registration_attempted,
    Customer.EmailChangeRequested: email_change_requested,
}


def version_read_at(api: LiveApi, customer_id: str, position: str) -> int:
    response = api.graphql(
        "query C($id: UUID!, $at: String) { customer(id: $id, atLeast: $at) { version } }",
        {"id": customer_id, "at": position},
        role=Role.AGENT,
    )
    body = response.json()
    assert "errors" not in body, body
    version: int = body["data"]["customer"]["version"]
    return version


def assert_round_trip_accepted(api: LiveApi, customer_id: str, version: int) -> None:
    payload = mutate(
        api,
        "changeContactDetails",
        {"customerId": customer_id, "name": "Ada Round Trip", "expectedVersion": version},
    )
    assert payload["userErrors"] == [], payload


@pytest.mark.parametrize("event_class", Customer.event_classes(), ids=lambda c: c.__name__)
def test_the_version_read_after_each_kind_of_customer_event_is_accepted_as_expected_version(
    api: LiveApi, event_class: type[Customer.Event]
) -> None:
    step = STEPS.get(event_class)
    assert step is not None, f"no step records Customer.{event_class.__name__}: add one"
    customer_id, position = step(api)
    assert isinstance(events_of(api, customer_id)[-1], event_class)
    version = version_read_at(api, customer_id, position)
    assert version == api.ledger.get_customer(UUID(customer_id)).version
    assert_round_trip_accepted(api, customer_id, version)


def test_after_self_registration_with_a_password_the_customer_reads_at_the_aggregates_version(
    api: LiveApi,
) -> None:
    customer_id, position = self_registered(api)
    version = version_read_at(api, customer_id, position)
    assert version == api.ledger.get_customer(UUID(customer_id)).version == 2
    assert_round_trip_accepted(api, customer_id, version)


def test_after_a_password_reset_the_customer_reads_at_the_aggregates_version(
    api: LiveApi,
) -> None:
    customer_id, position = password_reset(api)
    version = version_read_at(api, customer_id, position)
    # Registered, PasswordSet, PasswordResetRequested, PasswordSet, SessionsRevoked
    assert version == api.ledger.get_customer(UUID(customer_id)).version == 5
    assert_round_trip_accepted(api, customer_id, version)
