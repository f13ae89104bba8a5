"""Reading customers: one by id, and all of them as a Relay connection in registration order,
with typed errors for bad paging arguments and read-your-writes through `atLeast`."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from tests.api.helpers import CUSTOMER, assert_no_internals, error_codes, register, unique_email
from tests.support.server import LiveApi, live_api, module_api

PAGE = """
query Page($first: Int!, $after: String, $atLeast: String) {
  customers(first: $first, after: $after, atLeast: $atLeast) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    """One server for the module: each test registers its own customers (with unique emails)
    and reads the connection only from where the list ended before it wrote."""
    with module_api(pg_admin) as running:
        yield running


@pytest.fixture
def fresh_api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    """A server on an empty database, for the tests that read the list from its very start."""
    with live_api(ledger, database) as running:
        yield running


def five_customers(api: LiveApi) -> tuple[list[str], str]:
    """Register five customers in order; return their ids and the last write's position."""
    ids, position = [], "0"
    for n in range(1, 6):
        payload = register(api, name=f"Customer {n}", email=unique_email(f"c{n}"))
        assert payload["userErrors"] == []
        ids.append(payload["customer"]["id"])
        position = payload["position"]
    return ids, position


def page(api: LiveApi, first: int, after: str | None = None, **more: Any) -> dict[str, Any]:
    response = api.graphql(PAGE, {"first": first, "after": after, **more}, role=Role.AGENT)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def node_ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def end_of_list(api: LiveApi) -> tuple[str | None, int]:
    """Once the read model has caught up with the whole log: the cursor of the last customer
    listed (None if there is none) and how many are listed."""
    at_least = str(api.ledger.head_position())
    cursor: str | None = None
    while True:
        connection = page(api, first=100, after=cursor, atLeast=at_least)["data"]["customers"]
        if connection["edges"]:
            cursor = connection["pageInfo"]["endCursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            return cursor, connection["totalCount"]


# --- one customer --------------------------------------------------------------------------


def test_unknown_customer_id_reads_as_null(api: LiveApi) -> None:
    response = api.graphql(CUSTOMER, {"id": str(uuid4())}, role=Role.AGENT)
    assert response.status_code == 200
    assert response.json()["data"] == {"customer": None}
    assert "errors" not in response.json()


def test_customer_id_variable_that_is_not_a_uuid_answers_400(api: LiveApi) -> None:
    response = api.graphql(CUSTOMER, {"id": "not-a-uuid"}, role=Role.AGENT)
    assert response.status_code == 400
    assert "data" not in response.json()
    assert_no_internals(response)


def test_customer_id_literal_that_is_not_a_uuid_answers_400(api: LiveApi) -> None:
    response = api.graphql('{ customer(id: "not-a-uuid") { id } }', role=Role.AGENT)
    assert response.status_code == 400
    assert "data" not in response.json()
    assert_no_internals(response)


def test_registered_customer_reads_back_by_id(api: LiveApi) -> None:
    email = unique_email()
    payload = register(api, email=email)
    customer_id = payload["customer"]["id"]
    response = api.graphql(CUSTOMER, {"id": customer_id}, role=Role.AGENT)
    assert response.json()["data"]["customer"]["email"] == email


# --- read-your-writes ----------------------------------------------------------------------


def write_behind_the_api(api: LiveApi, email: str | None = None) -> tuple[str, str]:
    """Register straight into the log (the API does not wait for the projection); return the
    customer id and the write's position."""
    result = api.ledger.register_customer(
        RegisterCustomer(name="Ada Lovelace", email=email or unique_email()),
        EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.CLI),
    )
    return str(result.aggregate_id), str(result.position)


def test_customer_read_at_least_at_a_writes_position_sees_that_write(api: LiveApi) -> None:
    customer_id, position = write_behind_the_api(api)
    response = api.graphql(CUSTOMER, {"id": customer_id, "atLeast": position}, role=Role.AGENT)
    assert response.json()["data"]["customer"]["id"] == customer_id


def test_customers_read_at_least_at_a_writes_position_list_that_write(api: LiveApi) -> None:
    end, before = end_of_list(api)
    customer_id, position = write_behind_the_api(api)
    connection = page(api, first=10, after=end, atLeast=position)["data"]["customers"]
    assert node_ids(connection) == [customer_id]
    assert connection["totalCount"] == before + 1


def test_position_from_the_mutation_is_accepted_as_at_least(api: LiveApi) -> None:
    payload = register(api, email=unique_email())
    customer_id = payload["customer"]["id"]
    response = api.graphql(
        CUSTOMER, {"id": customer_id, "atLeast": payload["position"]}, role=Role.AGENT
    )
    assert response.json()["data"]["customer"]["id"] == customer_id


@pytest.mark.parametrize("at_least", ["soon", "-1", "1.5", "", "9223372036854775808"])
def test_at_least_that_is_not_a_position_is_refused_as_bad_position(
    api: LiveApi, at_least: str
) -> None:
    response = api.graphql(CUSTOMER, {"id": str(uuid4()), "atLeast": at_least}, role=Role.AGENT)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["BAD_POSITION"]


# --- the connection ------------------------------------------------------------------------


def test_customers_page_through_in_registration_order(fresh_api: LiveApi) -> None:
    # From the very start of the list: the first page has no previous page.
    api = fresh_api
    ids, position = five_customers(api)

    first = page(api, first=2, atLeast=position)["data"]["customers"]
    assert node_ids(first) == ids[0:2]
    assert first["totalCount"] == 5
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][1]["cursor"],
    }

    second = page(api, first=2, after=first["pageInfo"]["endCursor"])["data"]["customers"]
    assert node_ids(second) == ids[2:4]
    assert second["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["totalCount"] == 5

    third = page(api, first=2, after=second["pageInfo"]["endCursor"])["data"]["customers"]
    assert node_ids(third) == ids[4:5]
    assert third["pageInfo"]["hasNextPage"] is False
    assert third["pageInfo"]["endCursor"] == third["edges"][0]["cursor"]


def test_cursor_of_any_edge_continues_after_that_edge(api: LiveApi) -> None:
    end, _ = end_of_list(api)
    ids, position = five_customers(api)
    everything = page(api, first=5, after=end, atLeast=position)["data"]["customers"]
    assert node_ids(everything) == ids
    third_cursor = everything["edges"][2]["cursor"]
    rest = page(api, first=5, after=third_cursor)["data"]["customers"]
    assert node_ids(rest) == ids[3:]


def test_page_after_the_last_customer_is_empty_with_no_cursors(api: LiveApi) -> None:
    end, before = end_of_list(api)
    ids, position = five_customers(api)
    everything = page(api, first=5, after=end, atLeast=position)["data"]["customers"]
    assert node_ids(everything) == ids
    assert everything["pageInfo"]["hasNextPage"] is False
    after_last = page(api, first=5, after=everything["pageInfo"]["endCursor"])
    connection = after_last["data"]["customers"]
    assert connection["edges"] == []
    assert connection["pageInfo"]["hasNextPage"] is False
    assert connection["pageInfo"]["startCursor"] is None
    assert connection["pageInfo"]["endCursor"] is None
    assert connection["totalCount"] == before + 5


def test_same_page_twice_gives_the_same_customers_and_cursors(api: LiveApi) -> None:
    _, position = five_customers(api)
    once = page(api, first=3, atLeast=position)["data"]["customers"]
    again = page(api, first=3)["data"]["customers"]
    assert once == again


@pytest.mark.parametrize("first", [1, 100])
def test_page_size_at_the_bounds_is_served(fresh_api: LiveApi, first: int) -> None:
    # On an empty database, so that the count it answers is known to be exactly right.
    body = page(fresh_api, first=first)
    assert "errors" not in body
    assert body["data"]["customers"]["totalCount"] == 0


@pytest.mark.parametrize("first", [0, -1, 101, 10_000])
def test_page_size_out_of_bounds_is_refused_as_bad_page_size(api: LiveApi, first: int) -> None:
    # A field error that nulls the (non-null) root field: a partial response, so 200 with
    # `"data": null`, per the GraphQL-over-HTTP spec.
    body = page(api, first=first)
    assert body["data"] is None
    assert error_codes(body) == ["BAD_PAGE_SIZE"]
    assert body["errors"][0]["path"] == ["customers"]


def cursor_text(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "after",
    [
        "garbage",
        "!!!",
        cursor_text("customer:abc"),
        cursor_text("customer:-3"),
        cursor_text("ticket:1"),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_cursor_this_api_did_not_give_out_is_refused_as_bad_cursor(
    api: LiveApi, after: str
) -> None:
    body = page(api, first=2, after=after)
    assert body["data"] is None
    assert error_codes(body) == ["BAD_CURSOR"]
    assert "Traceback" not in str(body)


BACKWARD = """
query Back($last: Int, $before: String, $atLeast: String) {
  customers(last: $last, before: $before, atLeast: $atLeast) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""


def back(api: LiveApi, last: int, before: str | None = None, **more: Any) -> dict[str, Any]:
    variables = {"last": last, "before": before, **more}
    response = api.graphql(BACKWARD, variables, role=Role.AGENT)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_customers_page_backward_from_the_end_in_registration_order(fresh_api: LiveApi) -> None:
    api = fresh_api
    ids, position = five_customers(api)

    latest = back(api, last=2, atLeast=position)["data"]["customers"]
    assert node_ids(latest) == ids[3:5]
    assert latest["totalCount"] == 5
    assert latest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": latest["edges"][0]["cursor"],
        "endCursor": latest["edges"][1]["cursor"],
    }

    middle = back(api, last=2, before=latest["pageInfo"]["startCursor"])["data"]["customers"]
    assert node_ids(middle) == ids[1:3]
    assert middle["pageInfo"]["hasNextPage"] is True
    assert middle["pageInfo"]["hasPreviousPage"] is True

    earliest = back(api, last=2, before=middle["pageInfo"]["startCursor"])["data"]["customers"]
    assert node_ids(earliest) == ids[0:1]
    assert earliest["pageInfo"]["hasPreviousPage"] is False
    assert earliest["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("last", [0, 101])
def test_last_out_of_bounds_is_refused_as_bad_page_size(api: LiveApi, last: int) -> None:
    body = back(api, last=last)
    assert error_codes(body) == ["BAD_PAGE_SIZE"] and body["data"] is None


def test_first_and_last_together_are_refused_as_a_bad_request(api: LiveApi) -> None:
    response = api.graphql("{ customers(first: 2, last: 2) { totalCount } }", {}, role=Role.AGENT)
    assert response.status_code == 200, response.text
    assert error_codes(response.json()) == ["BAD_REQUEST"]


def test_a_before_cursor_of_another_list_is_refused_as_bad_cursor(api: LiveApi) -> None:
    other = base64.urlsafe_b64encode(b"reward:1").decode()
    assert error_codes(back(api, last=2, before=other)) == ["BAD_CURSOR"]


LISTED = "{ customers(first: 5) { edges { cursor node { id name email region } } } }"
REGISTERED = "{ customers(first: 5) { edges { node { id registeredAt version } } } }"


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST], ids=str)
def test_a_page_answered_directly_shows_what_the_executor_showed(
    fresh_api: LiveApi, role: Role
) -> None:
    """A literal page's first request goes through the executor, the next ones are answered
    directly (reading only the listed columns, or every column for ``registeredAt``): the
    same answers, with each role's personal data as before."""
    api = fresh_api
    ids, position = five_customers(api)
    page(api, first=5, atLeast=position)  # the list shows the five
    for document in (LISTED, REGISTERED):
        answers = [api.graphql(document, role=role).json() for _ in range(3)]
        assert answers[1] == answers[0] == answers[2]
        edges = answers[0]["data"]["customers"]["edges"]
        assert [edge["node"]["id"] for edge in edges] == ids
        if document is LISTED:
            names = [edge["node"]["name"] for edge in edges]
            shown = role is Role.AGENT
            assert names == ([f"Customer {n}" for n in range(1, 6)] if shown else [None] * 5)
            assert all(edge["cursor"] for edge in edges)
        else:
            assert all(edge["node"]["registeredAt"] and edge["node"]["version"] for edge in edges)
