"""Property (real PostgreSQL): for random purchase histories (customers buying random
products in random orders, the same product again, several lines of one order) cut into
batches of any size, the product affinity read model holds exactly what a plain Python
computation over the histories gives: each customer's set of products, the buyers of each
product, and for each pair of products the number of customers who bought both."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import permutations
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.purchase.model import Purchase
from infrastructure.database import Database
from projections.base import Positioned
from projections.recommendations.projection import ProductAffinity
from tests.property.test_segment_membership_property import event
from tests.support.postgres import fresh_database

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
SKUS = ("A", "B", "C", "D", "E", "F")
CUSTOMERS = 6

orders = st.lists(
    st.tuples(st.integers(0, CUSTOMERS - 1), st.lists(st.sampled_from(SKUS), max_size=4)),
    min_size=1,
    max_size=30,
)  # (customer, the order's skus, repeats allowed)


def purchase_events(ids: list[UUID], history: list[tuple[int, list[str]]]) -> list[Any]:
    return [order(ids[who], i, skus) for i, (who, skus) in enumerate(history)]


def order(customer: UUID, i: int, skus: list[str]) -> Any:
    lines = [{"sku": s, "category": None, "quantity": 1, "unit_amount_minor": 100} for s in skus]
    return event(
        Purchase.Recorded, uuid4(), 1, T0 + timedelta(minutes=i), customer_id=customer,
        order_id=f"o{i}", amount_minor=100, currency="EUR", channel="web", items=lines,
        purchased_at=T0,
    )  # fmt: skip


def expected(ids: list[UUID], history: list[tuple[int, list[str]]]) -> dict[str, Any]:
    """The plain computation: sets of products per customer, then counts over the sets."""
    owned: dict[UUID, set[str]] = {}
    for who, skus in history:
        owned.setdefault(ids[who], set()).update(skus)
    buyers = Counter(sku for skus in owned.values() for sku in skus)
    pairs = Counter(pair for skus in owned.values() for pair in permutations(sorted(skus), 2))
    return {
        "purchases": sorted((c, s) for c, skus in owned.items() for s in skus),
        "products": sorted(buyers.items()),
        "pairs": sorted((a, b, n) for (a, b), n in pairs.items()),
    }


def actual(database: Database) -> dict[str, Any]:
    with database.connect() as conn:
        return {
            "purchases": conn.execute(
                "SELECT customer_id, sku FROM affinity_purchases ORDER BY 1, 2"
            ).fetchall(),
            "products": conn.execute(
                "SELECT sku, customers FROM affinity_products ORDER BY 1"
            ).fetchall(),
            "pairs": conn.execute(
                "SELECT sku, other_sku, customers FROM affinity_pairs ORDER BY 1, 2"
            ).fetchall(),
        }


@pytest.fixture(scope="module")
def database(pg_admin: str) -> Iterator[Database]:
    with fresh_database(pg_admin) as database:
        with database.connect() as conn:
            conn.execute(ProductAffinity.ddl)
            conn.commit()
        yield database


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=orders, batch_size=st.integers(1, 12), again=st.booleans())
def test_co_occurrence_counts_equal_a_plain_count_over_the_histories(
    database: Database, history: list[tuple[int, list[str]]], batch_size: int, again: bool
) -> None:
    """Whatever the batch sizes, and with a batch applied a second time (a retried event
    adds nothing), the counts are those of the customers' sets of products."""
    ids = sorted(uuid4() for _ in range(CUSTOMERS))
    batch = [Positioned(i + 1, e) for i, e in enumerate(purchase_events(ids, history))]
    with database.connect() as conn, conn.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(ProductAffinity.tables))
        projection = ProductAffinity()
        for start in range(0, len(batch), batch_size):
            projection.apply(cursor, batch[start : start + batch_size])
        if again:
            projection.apply(cursor, batch[:batch_size])
        conn.commit()
    assert actual(database) == expected(ids, history)
