"""registerCustomer over HTTP: given the log, when a client registers, then the payload and
the log say what happened; a refusal is a typed user error and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Channel, Role
from domain.survey.values import SurveyChannel
from tests.api.helpers import REGISTER, unique_email
from tests.api.helpers import register as register_with
from tests.api.helpers import registered as registered_with
from tests.support.server import LiveApi, module_api


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def register(api: LiveApi, email: str | None = None, **fields: Any) -> dict[str, Any]:
    """Register over HTTP (under a unique email unless one is given); return the payload."""
    return register_with(api, email=unique_email() if email is None else email, **fields)


def registered(api: LiveApi, email: str | None = None) -> str:
    """Register a customer that must be accepted (under a unique email); return its id."""
    return registered_with(api, email=unique_email() if email is None else email)


def registered_event(api: LiveApi, customer_id: UUID) -> Customer.Registered:
    """The one event in the customer's stream, as stored."""
    [event] = list(api.ledger.repository.event_store.get(customer_id))
    assert isinstance(event, Customer.Registered)
    return event


def test_registration_payload_has_the_customer_a_position_and_no_user_errors(
    api: LiveApi,
) -> None:
    token = uuid4().hex
    payload = register(
        api, name="  Ada Lovelace ", email=f" Ada-{token}@Example.ORG ", region="EU-West"
    )
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert UUID(customer["id"])
    assert customer["name"] == "Ada Lovelace"
    assert customer["email"] == f"ada-{token}@example.org"
    assert customer["region"] == "EU-West"
    assert customer["phone"] is None
    assert customer["version"] == 1
    assert int(payload["position"]) == api.ledger.head_position()


def test_registration_shown_in_time_has_the_customers_id_and_no_notices(api: LiveApi) -> None:
    response = api.graphql(
        "mutation R($input: RegisterCustomerInput!) { registerCustomer(input: $input) {"
        " customer { id } customerId notices { code } userErrors { code } } }",
        {"input": {"name": "Ada Lovelace", "email": unique_email()}},
        role=Role.AGENT,
    )
    payload = response.json()["data"]["registerCustomer"]
    assert payload["customerId"] == payload["customer"]["id"]
    assert payload["notices"] == payload["userErrors"] == []


def test_registration_asked_only_for_the_customers_id_answers_the_directorys_customer(
    api: LiveApi,
) -> None:
    """The id-only answer (no read of the directory) names the customer a read right after
    it finds, with the same type name."""
    response = api.graphql(
        "mutation R($input: RegisterCustomerInput!) { registerCustomer(input: $input) {"
        " customer { __typename ident: id } customerId position notices { code } } }",
        {"input": {"name": "Ada Lovelace", "email": unique_email()}},
        role=Role.AGENT,
    )
    payload = response.json()["data"]["registerCustomer"]
    assert payload["notices"] == []
    assert payload["customer"] == {"__typename": "Customer", "ident": payload["customerId"]}
    read = api.graphql(
        "query C($id: UUID!, $at: String) { customer(id: $id, atLeast: $at) { id name } }",
        {"id": payload["customerId"], "at": payload["position"]},
        role=Role.AGENT,
    ).json()["data"]["customer"]
    assert read == {"id": payload["customerId"], "name": "Ada Lovelace"}


def test_registration_asked_for_more_than_the_id_through_a_fragment_reads_the_directory(
    api: LiveApi,
) -> None:
    """A field beyond the id, even inside a fragment, is shown from the directory's row."""
    response = api.graphql(
        "mutation R($input: RegisterCustomerInput!) { registerCustomer(input: $input) {"
        " customer { id ...Seen } } } fragment Seen on Customer { name version }",
        {"input": {"name": "  Ada Lovelace ", "email": unique_email()}},
        role=Role.AGENT,
    )
    customer = response.json()["data"]["registerCustomer"]["customer"]
    assert customer["name"] == "Ada Lovelace"
    assert customer["version"] == 1
    assert UUID(customer["id"])


def test_registration_uses_the_client_chosen_customer_id(api: LiveApi) -> None:
    chosen = uuid4()
    payload = register(api, customerId=str(chosen))
    assert payload["customer"]["id"] == str(chosen)


def test_registration_appends_the_customer_and_the_email_claim(api: LiveApi) -> None:
    head = api.quiet_head()
    registered(api)
    assert api.ledger.head_position() == head + 2


@pytest.mark.parametrize(
    "again",
    ["ada-{}@example.org", "ADA-{}@Example.Org", "  ada-{}@example.org\t", "Ada-{}@EXAMPLE.org "],
)
def test_email_registered_before_in_any_case_or_spacing_is_refused(
    api: LiveApi, again: str
) -> None:
    token = uuid4().hex
    registered(api, email=f"ada-{token}@example.org")
    head = api.quiet_head()
    payload = register(api, name="Someone Else", email=again.format(token))
    assert payload["customer"] is None
    assert payload["position"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "EMAIL_ALREADY_REGISTERED"
    assert error["field"] == ["input", "email"]
    assert error["message"]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize(
    "email", ["not-an-email", "ada@", "@example.org", "ada@example", "a b@example.org", ""]
)
def test_invalid_email_is_refused_as_invalid_input_on_the_email_field(
    api: LiveApi, email: str
) -> None:
    head = api.quiet_head()
    payload = register(api, email=email)
    assert payload["customer"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", "email"])
    ]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "x" * 201])
def test_empty_or_overlong_name_is_refused_as_invalid_input_on_the_name_field(
    api: LiveApi, name: str
) -> None:
    head = api.quiet_head()
    payload = register(api, name=name)
    assert payload["customer"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", "name"])
    ]
    assert api.ledger.head_position() == head


def test_invalid_phone_is_refused_as_invalid_input_on_the_phone_field(api: LiveApi) -> None:
    head = api.quiet_head()
    payload = register(api, phone="call me maybe")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", "phone"])
    ]
    assert api.ledger.head_position() == head


def test_retry_with_the_same_customer_id_returns_the_same_customer_and_writes_nothing(
    api: LiveApi,
) -> None:
    customer_id = str(uuid4())
    token = uuid4().hex
    first = register(api, email=f"ada-{token}@example.org", customerId=customer_id)
    head = api.quiet_head()
    retry = register(api, email=f"  ADA-{token}@example.org", customerId=customer_id)
    assert retry["userErrors"] == []
    assert retry["customer"] == first["customer"]
    assert int(retry["position"]) >= int(first["position"])
    assert api.ledger.head_position() == head


def test_same_customer_id_with_another_email_is_refused_as_idempotency_key_reused(
    api: LiveApi,
) -> None:
    customer_id = str(uuid4())
    register(api, email=unique_email("ada"), customerId=customer_id)
    head = api.quiet_head()
    payload = register(api, email=unique_email("grace"), customerId=customer_id)
    assert payload["customer"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "customerId"])
    ]
    assert api.ledger.head_position() == head


def test_registered_event_carries_actor_role_channel_and_correlation_from_the_request(
    api: LiveApi,
) -> None:
    correlation_id = uuid4()
    response = api.graphql(
        REGISTER,
        {"input": {"name": "Ada Lovelace", "email": unique_email()}},
        role=Role.AGENT,
        subject="agent-42",
        **{"X-CXL-Channel": "phone", "X-Correlation-Id": str(correlation_id)},
    )
    customer_id = UUID(response.json()["data"]["registerCustomer"]["customer"]["id"])
    event = registered_event(api, customer_id)
    assert event.metadata.actor_id == "agent-42"
    assert event.metadata.actor_role is Role.AGENT
    assert event.metadata.channel is Channel.PHONE
    assert event.metadata.correlation_id == correlation_id
    assert event.metadata.causation_id != correlation_id


@pytest.mark.parametrize("channel", [c.value for c in SurveyChannel])
def test_every_channel_a_survey_goes_out_on_is_accepted_and_recorded_from_the_header(
    api: LiveApi, channel: str
) -> None:
    response = api.graphql(
        REGISTER,
        {"input": {"name": "Ada Lovelace", "email": unique_email()}},
        role=Role.AGENT,
        **{"X-CXL-Channel": channel.upper()},
    )
    assert response.status_code == 200, response.text
    customer_id = UUID(response.json()["data"]["registerCustomer"]["customer"]["id"])
    assert registered_event(api, customer_id).metadata.channel == Channel(channel)


def test_registration_without_channel_or_correlation_headers_is_recorded_as_api(
    api: LiveApi,
) -> None:
    event = registered_event(api, UUID(registered(api)))
    assert event.metadata.channel is Channel.API
    assert event.metadata.actor_role is Role.AGENT


def test_each_request_gets_its_own_correlation_id_when_none_is_sent(api: LiveApi) -> None:
    first = UUID(registered(api, email=unique_email("ada")))
    second = UUID(registered(api, email=unique_email("grace")))
    one, two = registered_event(api, first), registered_event(api, second)
    assert one.metadata.correlation_id != two.metadata.correlation_id
