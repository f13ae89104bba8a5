"""Lists of tickets over HTTP: filters and pages, the agents' queue by SLA urgency, service
metrics on a small known history, and the tickets in Customer 360.

The history is written through the ledger with explicit business times (as a replay of the
past would be), so every figure is known in advance; the default calendar counts every
second, so business seconds are wall-clock seconds here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from tests.api.helpers import error_codes
from tests.api.steps import read_customer
from tests.api.ticket_steps import customer, opened, query
from tests.support.server import LiveApi, module_api

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
AGENT_A = EventMetadata(actor_id="agent-a", actor_role=Role.AGENT, channel=Channel.PHONE)
AGENT_B = EventMetadata(actor_id="agent-b", actor_role=Role.AGENT, channel=Channel.PHONE)
TICKETS = (
    "query($f: TicketFilterInput, $first: Int!, $after: String) {"
    " tickets(filter: $f, first: $first, after: $after) {"
    " edges { cursor node { id status priority assignee category } }"
    " pageInfo { hasNextPage hasPreviousPage endCursor } } }"
)
FIGURES = (
    "ticketsOpened ticketsResolved firstResponses firstResponseMedianSeconds"
    " firstResponseP90Seconds resolutionMedianSeconds resolutionP90Seconds resolvedWithinSla"
    " firstResponseBreaches resolutionBreaches reopenRate"
    " backlog { under1Day from1To3Days from3To7Days over7Days total }"
)
METRICS = (
    "query($f: ServiceMetricsFilterInput, $g: ServiceMetricsGrouping) {"
    f" serviceMetrics(filter: $f, groupBy: $g) {{ groupBy totals {{ {FIGURES} }}"
    " rows { key periodStart figures { ticketsOpened ticketsResolved } } } }"
)


@dataclass(frozen=True)
class History:
    """Three tickets in category ``returns`` opened at T0: A resolved in an hour, B resolved,
    reopened and resolved again, C answered but still open (and breached)."""

    api: LiveApi
    customer_id: str
    a: UUID
    b: UUID
    c: UUID


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def write_history(ledger: Ledger, customer_id: UUID) -> tuple[UUID, UUID, UUID]:
    def open_one(subject: str) -> UUID:
        command = OpenTicket(
            customer_id, TicketChannel.EMAIL, "returns", subject, "A parcel came back"
        )
        return ledger.open_ticket(command, AGENT_A, now=T0).aggregate_id

    a, b, c = open_one("A"), open_one("B"), open_one("C")
    for ticket, agent in ((a, AGENT_A), (b, AGENT_A), (c, AGENT_B)):
        ledger.assign_ticket(ticket, agent.actor_id, agent, now=at(1))
    for ticket, agent, minutes in ((a, AGENT_A, 10), (b, AGENT_A, 30), (c, AGENT_B, 20)):
        ledger.reply_to_ticket(ticket, "We are on it", agent, now=at(minutes))
    ledger.resolve_ticket(a, "Refunded", AGENT_A, now=at(60))
    ledger.resolve_ticket(b, "Refunded", AGENT_A, now=at(120))
    ledger.reopen_ticket(b, "Only half refunded", AGENT_A, now=at(130))
    ledger.resolve_ticket(b, "Refunded the rest", AGENT_A, now=at(200))
    ledger.record_sla_breaches(c, EventMetadata.system(), now=at(3 * 24 * 60))
    return a, b, c


@pytest.fixture(scope="module")
def history(pg_admin: str) -> Iterator[History]:
    with module_api(pg_admin) as api:
        customer_id = customer(api)
        a, b, c = write_history(api.ledger, UUID(customer_id))
        api.caught_up()  # written through the ledger: nothing waited for the read models
        yield History(api, customer_id, a, b, c)


def tickets(api: LiveApi, first: int = 20, after: str | None = None, **f: Any) -> dict[str, Any]:
    body = query(api, TICKETS, {"f": f, "first": first, "after": after})
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["tickets"]
    return found


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def metrics(api: LiveApi, group_by: str | None = None, **f: Any) -> dict[str, Any]:
    body = query(api, METRICS, {"f": f, "g": group_by}, role=Role.ANALYST)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["serviceMetrics"]
    return found


def test_tickets_filter_by_category_newest_first(history: History) -> None:
    found = tickets(history.api, category="returns")
    assert ids(found) == [str(history.c), str(history.b), str(history.a)]


def test_tickets_filter_by_status_assignee_and_breach(history: History) -> None:
    api = history.api
    assert ids(tickets(api, category="returns", statuses=["OPEN"])) == [str(history.c)]
    assert ids(tickets(api, category="returns", assignee="agent-a")) == [
        str(history.b),
        str(history.a),
    ]
    assert ids(tickets(api, category="returns", breached=True)) == [str(history.c)]


def test_tickets_filter_by_opening_time_and_channel(history: History) -> None:
    api = history.api
    window: dict[str, Any] = {"openedSince": T0.isoformat(), "openedUntil": at(1).isoformat()}
    assert len(ids(tickets(api, **window, channel="EMAIL"))) == 3
    assert ids(tickets(api, openedUntil=T0.isoformat())) == []
    assert ids(tickets(api, category="returns", channel="PHONE")) == []


def test_tickets_come_in_pages_joined_by_cursors(history: History) -> None:
    api = history.api
    first = tickets(api, first=2, category="returns")
    assert first["pageInfo"]["hasNextPage"] is True
    rest = tickets(api, first=2, after=first["pageInfo"]["endCursor"], category="returns")
    assert rest["pageInfo"] == {**rest["pageInfo"], "hasNextPage": False, "hasPreviousPage": True}
    assert ids(first) + ids(rest) == [str(history.c), str(history.b), str(history.a)]


TICKETS_BACKWARD = (
    "query($f: TicketFilterInput, $last: Int, $before: String) {"
    " tickets(filter: $f, last: $last, before: $before) {"
    " edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor } } }"
)


def test_tickets_page_backward_from_the_oldest_toward_the_newest(history: History) -> None:
    """The list is newest first, so the page before a cursor holds newer tickets."""
    api = history.api

    def back(before: str | None) -> dict[str, Any]:
        variables = {"f": {"category": "returns"}, "last": 2, "before": before}
        body = query(api, TICKETS_BACKWARD, variables)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]["tickets"]
        return found

    oldest = back(None)
    assert ids(oldest) == [str(history.b), str(history.a)]
    assert oldest["pageInfo"] == {
        **oldest["pageInfo"],
        "hasPreviousPage": True,
        "hasNextPage": False,
    }
    newest = back(oldest["pageInfo"]["startCursor"])
    assert ids(newest) == [str(history.c)]
    assert newest["pageInfo"] == {
        **newest["pageInfo"],
        "hasPreviousPage": False,
        "hasNextPage": True,
    }


def test_a_time_without_a_zone_is_invalid_input(history: History) -> None:
    body = query(history.api, TICKETS, {"f": {"openedSince": "2024-03-04T09:00:00"}, "first": 5})
    assert error_codes(body) == ["INVALID_INPUT"]


def test_the_queue_puts_breached_tickets_first_and_held_ones_last(history: History) -> None:
    api = history.api
    someone = customer(api)
    held, fresh, urgent = (opened(api, someone)["id"] for _ in range(3))
    for ticket_id, mutation, fields in (
        (held, "putTicketOnHold", {"reason": "Waiting"}),
        (urgent, "changeTicketPriority", {"priority": "URGENT"}),
    ):
        body = query(
            api,
            f"mutation($i: {mutation[0].upper()}{mutation[1:]}Input!) {{ {mutation}(input: $i)"
            " { userErrors { code } } }",
            {"i": {"ticketId": ticket_id, **fields}},
        )
        assert body["data"][mutation]["userErrors"] == []
    body = query(api, "{ ticketQueue(first: 100) { id status } }")
    queue = [t["id"] for t in body["data"]["ticketQueue"]]
    assert queue[0] == str(history.c)
    assert queue.index(urgent) < queue.index(fresh) < queue.index(held) == len(queue) - 1


def test_an_agent_s_queue_holds_only_their_tickets(history: History) -> None:
    body = query(history.api, '{ ticketQueue(agentId: "agent-b") { id assignee } }')
    assert body["data"]["ticketQueue"] == [{"id": str(history.c), "assignee": "agent-b"}]


def test_service_metrics_of_a_known_history(history: History) -> None:
    totals = metrics(history.api, category="returns")["totals"]
    assert totals == {
        "ticketsOpened": 3,
        "ticketsResolved": 2,
        "firstResponses": 3,
        "firstResponseMedianSeconds": 1200.0,
        "firstResponseP90Seconds": pytest.approx(1680.0),
        "resolutionMedianSeconds": 7500.0,
        "resolutionP90Seconds": pytest.approx(10620.0),
        "resolvedWithinSla": 100.0,
        "firstResponseBreaches": 0,
        "resolutionBreaches": 1,
        "reopenRate": 50.0,
        "backlog": {
            "under1Day": 0,
            "from1To3Days": 0,
            "from3To7Days": 0,
            "over7Days": 1,
            "total": 1,
        },
    }


def test_service_metrics_per_agent_and_per_month(history: History) -> None:
    by_agent = metrics(history.api, "AGENT", category="returns")
    assert by_agent["groupBy"] == "AGENT"
    assert [(r["key"], r["figures"]) for r in by_agent["rows"]] == [
        ("agent-a", {"ticketsOpened": 2, "ticketsResolved": 2}),
        ("agent-b", {"ticketsOpened": 1, "ticketsResolved": 0}),
    ]
    by_month = metrics(history.api, "MONTH", category="returns", until=at(24 * 60).isoformat())
    assert [(r["key"], r["periodStart"]) for r in by_month["rows"]] == [
        ("2024-03-01", "2024-03-01T00:00:00+00:00")
    ]


def test_customer_360_lists_the_customer_s_tickets_newest_first(history: History) -> None:
    selection = "tickets(first: 2) { edges { node { id } } pageInfo { hasNextPage } }"
    found = read_customer(history.api, history.customer_id, selection)["tickets"]
    assert [edge["node"]["id"] for edge in found["edges"]] == [str(history.c), str(history.b)]
    assert found["pageInfo"]["hasNextPage"] is True


def test_customer_360_pages_the_customer_s_tickets_backward(history: History) -> None:
    """Newest first, so the page before a cursor holds newer tickets."""
    page = "edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor }"
    oldest = read_customer(history.api, history.customer_id, f"tickets(last: 2) {{ {page} }}")
    assert ids(oldest["tickets"]) == [str(history.b), str(history.a)]
    assert oldest["tickets"]["pageInfo"]["hasPreviousPage"] is True
    cursor = oldest["tickets"]["pageInfo"]["startCursor"]
    newest = read_customer(
        history.api, history.customer_id, f'tickets(last: 2, before: "{cursor}") {{ {page} }}'
    )
    assert ids(newest["tickets"]) == [str(history.c)]
    assert newest["tickets"]["pageInfo"]["hasPreviousPage"] is False
    assert newest["tickets"]["pageInfo"]["hasNextPage"] is True


def test_customer_360_hides_ticket_texts_from_analysts(history: History) -> None:
    found = read_customer(
        history.api,
        history.customer_id,
        "tickets(first: 100) { edges { node { subject } } }",
        role=Role.ANALYST,
    )
    assert {edge["node"]["subject"] for edge in found["tickets"]["edges"]} == {None}


def test_tickets_filter_by_priority(history: History) -> None:
    assert len(ids(tickets(history.api, category="returns", priorities=["NORMAL"]))) == 3
    assert ids(tickets(history.api, category="returns", priorities=["LOW", "HIGH"])) == []
