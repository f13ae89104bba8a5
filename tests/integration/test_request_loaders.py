"""A request's data loaders read what many customers' fields ask for in one go: one statement
per table for the whole batch (``= ANY``), on one pooled connection per loader, whatever the
number of customers; and they read what the one-customer queries read."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from psycopg import AsyncConnection, AsyncCursor
from psycopg_pool import AsyncConnectionPool

from domain.customer.commands import RegisterCustomer
from domain.customer.profile import ConsentPurpose
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from graphql_api.loaders import Loaders
from infrastructure.database import Database
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import consent_history, customer_360_parts
from projections.loyalty.projection import LoyaltyStatements
from projections.loyalty.queries import account_view
from projections.referrals.projection import ReferralFunnel
from projections.referrals.queries import referrer_view
from tests.support import read_models

T = TypeVar("T")
EXECUTED: list[str] = []
"""The statements the counting cursors ran (the test's own, reset by each test)."""
STATEMENTS_PER_BATCH = 5 + 1 + 3 + 1 + 1 + 1
"""Parts (directory, preferences, consents, totals, onboarding), consent history, accounts
(accounts, figures, next expiries), NPS categories, referrers, referrals of friends."""


class CountingCursor(AsyncCursor[Any]):
    """A real cursor on the real database that notes each statement it runs."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        EXECUTED.append(str(query))
        return await super().execute(query, params, **kwargs)


def project(ledger: Ledger, database: Database) -> None:
    for projection in (CustomerDirectory(), LoyaltyStatements(), ReferralFunnel()):
        read_models.project(ledger, database, projection, 50)


def with_pool(database: Database, use: Callable[[AsyncConnectionPool[Any]], Awaitable[T]]) -> T:
    async def run() -> T:
        kwargs = {"cursor_factory": CountingCursor}
        async with AsyncConnectionPool(database.conninfo, kwargs=kwargs, min_size=1) as pool:
            EXECUTED.clear()
            return await use(pool)

    return asyncio.run(run())


async def load_everything(pool: AsyncConnectionPool[Any], ids: list[UUID]) -> list[Any]:
    """What a page of customers asks for, every field at once (one tick)."""
    loaders = Loaders(pool)
    kinds = (
        loaders.customer_parts,
        loaders.consent_history,
        loaders.loyalty_account,
        loaders.nps_category,
        loaders.referrer,
        loaders.referral_of_friend,
    )
    return list(await asyncio.gather(*(kind.load(i) for kind in kinds for i in ids)))


def customers(ledger: Ledger, agent: EventMetadata, count: int) -> list[UUID]:
    ids = []
    for n in range(count):
        command = RegisterCustomer(f"Customer {n}", f"customer.{n}@example.org")
        customer_id = ledger.register_customer(command, agent).aggregate_id
        ledger.give_consent(customer_id, ConsentPurpose.RESEARCH, agent)
        ledger.enrol_in_loyalty(customer_id, agent)
        ledger.issue_referral_code(customer_id, agent)
        ids.append(customer_id)
    return ids


def test_a_page_of_customers_costs_the_same_statements_as_one_customer(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ids = customers(ledger, agent, 12)
    project(ledger, database)

    with_pool(database, lambda pool: load_everything(pool, ids[:1]))
    one = len(EXECUTED)
    with_pool(database, lambda pool: load_everything(pool, [*ids, uuid4()]))
    page = len(EXECUTED)

    assert one == page == STATEMENTS_PER_BATCH
    assert all("ANY(" in statement for statement in EXECUTED)


def test_the_loaders_read_what_the_one_customer_queries_read(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ids = customers(ledger, agent, 2)
    project(ledger, database)
    now = datetime.now(UTC)

    async def both(pool: AsyncConnectionPool[Any]) -> tuple[list[Any], list[Any]]:
        loaded = await load_everything(pool, ids)
        async with await AsyncConnection.connect(database.conninfo) as conn:
            alone: list[Any] = []
            for read in (customer_360_parts, consent_history):
                alone += [await read(conn, i) for i in ids]
            alone += [await account_view(conn, i, now) for i in ids]
            alone += [None, None]  # neither answered an NPS survey
            alone += [await referrer_view(conn, i) for i in ids]
            alone += [None, None]  # nor was referred
        return loaded, alone

    loaded, alone = with_pool(database, both)

    accounts = slice(4, 6)
    assert [a.balance.spendable for a in loaded[accounts]] == [0, 0]
    assert [a.customer_id for a in loaded[accounts]] == [a.customer_id for a in alone[accounts]]
    assert loaded[:4] + loaded[6:] == alone[:4] + alone[6:]
    assert loaded[2][0].purpose == "research"


def test_a_write_makes_the_loaders_forget_what_they_read(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    [ada] = customers(ledger, agent, 1)
    project(ledger, database)

    async def before_and_after(pool: AsyncConnectionPool[Any]) -> tuple[Any, Any]:
        loaders = Loaders(pool)
        before = await loaders.consent_history.load(ada)
        ledger.withdraw_consent(ada, ConsentPurpose.RESEARCH, agent)
        project(ledger, database)
        loaders.forget()
        return before, await loaders.consent_history.load(ada)

    before, after = with_pool(database, before_and_after)

    assert [c.decision for c in before] == ["given"]
    assert [c.decision for c in after] == ["given", "withdrawn"]
