"""Customer health over HTTP: `customer { health }` on Customer 360 for staff readers (null
for the customer themself), and `customersAtRisk` for agents and admins, most at risk first
with reasons; bad paging arguments are typed errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.feedback.commands import SubmitFeedback
from domain.feedback.values import FeedbackKind
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.review.commands import ReviewProduct
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from tests.support.server import LiveApi, module_api

HEALTH = "score band components { name score weight why }"
AT_RISK = (
    f"customersAtRisk(first: $first, after: $after) {{ edges {{ cursor node {{ customerId"
    f" reasons health {{ {HEALTH} }} }} }} pageInfo {{ hasNextPage endCursor }} }}"
)


@dataclass(frozen=True)
class World:
    api: LiveApi
    lapsed: UUID
    fresh: UUID
    engaged: UUID


def lapsed_customer(api: LiveApi, name: str, tickets: int) -> UUID:
    """Bought two years ago and waits on ``tickets`` breached tickets: at risk."""
    system = EventMetadata.system()
    email = f"{name.lower()}@example.org"
    customer_id = api.ledger.register_customer(RegisterCustomer(name, email), system).aggregate_id
    old = datetime.now(UTC) - timedelta(days=730)
    buy = RecordPurchase(customer_id, f"{name}-1", "10", "EUR", PurchaseChannel.WEB, old)
    api.ledger.record_purchase(buy, system)
    for n in range(tickets):
        opened = OpenTicket(customer_id, TicketChannel.WEB, "delivery", f"Late {n}", "Late")
        ticket_id = api.ledger.open_ticket(opened, system, now=old).aggregate_id
        api.ledger.record_sla_breaches(ticket_id, system)
    return customer_id


def engaged_customer(api: LiveApi) -> UUID:
    """Wrote two reviews and gave a piece of feedback."""
    command = RegisterCustomer("Engaged", "engaged@example.org")
    customer_id = api.ledger.register_customer(command, EventMetadata.system()).aggregate_id
    themself = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    for sku in ("SKU-1", "SKU-2"):
        api.ledger.review_product(ReviewProduct(customer_id, sku, 5, "Nice", "Works."), themself)
    api.ledger.handle(SubmitFeedback(FeedbackKind.COMPLIMENT, "delivery", "Quick."), themself)
    return customer_id


def at_risk(api: LiveApi, role: Role, **variables: Any) -> dict[str, Any]:
    query = f"query($first: Int, $after: String) {{ {AT_RISK} }}"
    body: dict[str, Any] = api.graphql(query, variables, role).json()
    return body


def listed(api: LiveApi, expected: int) -> dict[str, Any]:
    """The list once the read model has caught up with the writes (a liveness bound)."""
    deadline = time.monotonic() + 60
    while True:
        body = at_risk(api, Role.AGENT, first=10)
        edges = body.get("data", {}).get("customersAtRisk", {}).get("edges", [])
        if len(edges) >= expected or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin) as api:
        lapsed = lapsed_customer(api, "Lapsed", tickets=3)
        lapsed_customer(api, "Slipping", tickets=2)
        system = EventMetadata.system()
        fresh = api.ledger.register_customer(
            RegisterCustomer("Fresh", "fresh@example.org"), system
        ).aggregate_id
        engaged = engaged_customer(api)
        api.caught_up()  # the fresh customer too, not only the two the list waits for
        assert "errors" not in listed(api, 2)
        yield World(api, lapsed, fresh, engaged)


def test_agents_get_the_customers_at_risk_most_at_risk_first_with_reasons(world: World) -> None:
    """Three breached tickets rank before two; each names its weak components."""
    edges = listed(world.api, 2)["data"]["customersAtRisk"]["edges"]
    nodes = [edge["node"] for edge in edges]
    assert nodes[0]["customerId"] == str(world.lapsed)
    assert [n["health"]["band"] for n in nodes] == ["AT_RISK", "AT_RISK"]
    assert nodes[0]["health"]["score"] <= nodes[1]["health"]["score"]
    assert nodes[0]["reasons"][0].startswith("recency: last purchase 730 days ago")


def test_paging_forward_by_cursor_gives_the_next_customer(world: World) -> None:
    """first: 1 then after its cursor: the second customer, and no page after it."""
    one = at_risk(world.api, Role.ADMIN, first=1)["data"]["customersAtRisk"]
    assert one["pageInfo"]["hasNextPage"] is True
    two = at_risk(world.api, Role.ADMIN, first=1, after=one["pageInfo"]["endCursor"])
    page = two["data"]["customersAtRisk"]
    assert page["edges"][0]["node"]["customerId"] != str(world.lapsed)
    assert page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("variables", "code"),
    [({"first": 0}, "BAD_PAGE_SIZE"), ({"first": 1, "after": "bm90LWl0"}, "BAD_CURSOR")],
)
def test_bad_paging_is_a_typed_error(world: World, variables: dict[str, Any], code: str) -> None:
    """A size out of bounds or a cursor of another list is refused by code, not a 500."""
    body = at_risk(world.api, Role.AGENT, **variables)
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST, Role.AUDITOR])
def test_staff_readers_see_the_health_on_customer_360(world: World, role: Role) -> None:
    """The components with their weights (summing to 100) and a band; analysts included."""
    query = f"query($id: UUID!) {{ customer(id: $id) {{ health {{ {HEALTH} }} }} }}"
    body = world.api.graphql(query, {"id": str(world.fresh)}, role).json()
    health = body["data"]["customer"]["health"]
    assert health["band"] == "WATCH"  # nothing happened to them yet
    assert sum(c["weight"] for c in health["components"]) == 100
    names = [c["name"] for c in health["components"]]
    assert names == ["recency", "nps_trend", "service", "complaints", "engagement"]


def test_engagement_on_customer_360_names_the_interactions_by_kind(world: World) -> None:
    """Two reviews and a piece of feedback: 75 engagement, and the why counts each kind."""
    query = f"query($id: UUID!) {{ customer(id: $id) {{ health {{ {HEALTH} }} }} }}"
    body = world.api.graphql(query, {"id": str(world.engaged)}, Role.AGENT).json()
    [engagement] = [
        c for c in body["data"]["customer"]["health"]["components"] if c["name"] == "engagement"
    ]
    assert (engagement["score"], engagement["weight"]) == (75, 10)
    assert engagement["why"] == "2 reviews, 1 piece of feedback"


def test_the_customer_themself_gets_no_health(world: World) -> None:
    """Staff's judgement of a customer is not shown to the customer: null."""
    query = "query($id: UUID!) { customer(id: $id) { health { score } } }"
    body = world.api.graphql(query, {"id": str(world.fresh)}, Role.CUSTOMER, str(world.fresh))
    assert body.json()["data"]["customer"]["health"] is None
