"""The Customer 360 read model: every customer event and purchase lands in its tables, its
queries answer with typed values, every filter is served by an index, rebuilds are identical."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from psycopg import AsyncConnection

from domain.customer.commands import ChangeContactDetails, ChangeDemographics, RegisterCustomer
from domain.customer.commands import SetContactPreferences as SetPreferences
from domain.customer.profile import ONBOARDING_STEPS, Address, ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalData
from infrastructure.database import Database
from projections.base import Positioned
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import (
    LISTED_FIELDS,
    LISTED_ID_TEXT,
    VIEW_FIELDS,
    CustomerPage,
    CustomerView,
    DirectoryRows,
    consent_history,
    customer_360_parts,
    customer_by_id,
    customers_count,
    customers_page,
    customers_page_before,
    directory_rows,
    page_statements,
)
from projections.customers.views import (
    AddressView,
    ConsentChange,
    ConsentView,
    ContactPreferenceView,
    CurrencyTotal,
    CustomerFilter,
    OnboardingStepView,
)
from tests.support import read_models
from tests.support.read_models import query

T = TypeVar("T")
JAN = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
MAR = datetime(2024, 3, 5, 18, 30, tzinfo=UTC)
JUN = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def project(ledger: Ledger, database: Database, batch_size: int = 3) -> None:
    read_models.project(ledger, database, CustomerDirectory(), batch_size)


def register(
    ledger: Ledger, agent: EventMetadata, name: str, email: str, region: str | None = None
) -> UUID:
    command = RegisterCustomer(name, email, phone="+49 30 1234567", region=region)
    return ledger.register_customer(command, agent).aggregate_id


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB)


def buy(
    ledger: Ledger,
    customer_id: UUID,
    order_id: str,
    amount: str,
    when: datetime,
    channel: PurchaseChannel = PurchaseChannel.WEB,
    currency: str = "EUR",
) -> None:
    command = RecordPurchase(customer_id, order_id, amount, currency, channel, when)
    ledger.record_purchase(command, as_customer(customer_id))


def page(database: Database, first: int = 50, after: int = 0, **filters: Any) -> CustomerPage:
    return query(
        database, lambda conn: customers_page(conn, first, after, CustomerFilter(**filters))
    )


def names(result: CustomerPage) -> list[str | None]:
    return [item.name for item in result.items]


def test_profile_changes_reach_the_directory_row_and_the_360_profile(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org", "EU")
    ledger.change_contact_details(ChangeContactDetails(ada, name="Ada King", phone=None), agent)
    ledger.change_email(ada, "ada.king@example.org", agent)
    home = Address.checked("1 Main St", None, "London", "N1 9GU", "gb")
    ledger.change_address(ada, home, agent)
    demographics = ChangeDemographics(ada, region="UK", language="en-GB", birth_year=1985)
    result = ledger.change_demographics(demographics, agent)

    project(ledger, database)

    row = query(database, lambda conn: customer_by_id(conn, ada))
    assert row is not None
    assert (row.name, row.email, row.phone, row.region) == (
        "Ada King",
        "ada.king@example.org",
        None,
        "UK",
    )
    assert row.version == result.version
    parts = query(database, lambda conn: customer_360_parts(conn, ada))
    assert parts is not None
    assert parts.profile.address == AddressView("1 Main St", None, "London", "N1 9GU", "GB")
    assert (parts.profile.language, parts.profile.birth_year) == ("en-GB", 1985)


def test_a_removed_address_and_birth_year_read_as_null(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org")
    ledger.change_address(ada, Address.checked("1 Main St", "Flat 2", "Paris", None, "FR"), agent)
    ledger.change_demographics(ChangeDemographics(ada, birth_year=1990), agent)
    ledger.change_address(ada, None, agent)
    ledger.change_demographics(ChangeDemographics(ada, birth_year=None), agent)

    project(ledger, database)

    parts = query(database, lambda conn: customer_360_parts(conn, ada))
    assert parts is not None
    assert (parts.profile.address, parts.profile.birth_year) == (None, None)


def test_contact_preferences_keep_the_latest_choice_per_channel(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org")
    both = {ContactChannel.EMAIL: True, ContactChannel.SMS: True}
    ledger.set_contact_preferences(SetPreferences(ada, both), agent)
    ledger.set_contact_preferences(SetPreferences(ada, {ContactChannel.SMS: False}), agent)

    project(ledger, database, batch_size=1)

    parts = query(database, lambda conn: customer_360_parts(conn, ada))
    assert parts is not None
    assert [(p.channel, p.opted_in) for p in parts.preferences] == [
        ("email", True),
        ("sms", False),
    ]
    assert all(isinstance(p, ContactPreferenceView) for p in parts.preferences)
    assert parts.preferences[1].changed_at > parts.preferences[0].changed_at


def test_consents_show_the_current_state_and_a_history_in_log_order_with_who_and_how(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org")
    ledger.give_consent(ada, ConsentPurpose.MARKETING, agent)
    ledger.give_consent(ada, ConsentPurpose.RESEARCH, as_customer(ada))
    ledger.withdraw_consent(ada, ConsentPurpose.MARKETING, as_customer(ada))

    project(ledger, database)

    parts = query(database, lambda conn: customer_360_parts(conn, ada))
    assert parts is not None
    assert [(c.purpose, c.given) for c in parts.consents] == [
        ("marketing", False),
        ("research", True),
    ]
    assert all(isinstance(c, ConsentView) for c in parts.consents)
    history = query(database, lambda conn: consent_history(conn, ada))
    assert [(h.purpose, h.given, h.actor_id, h.actor_role, h.channel) for h in history] == [
        ("marketing", True, "agent-7", "agent", "phone"),
        ("research", True, str(ada), "customer", "web"),
        ("marketing", False, str(ada), "customer", "web"),
    ]
    positions = [h.position for h in history]
    assert positions == sorted(positions) and len(set(positions)) == 3
    assert [h.changed_at for h in history] == sorted(h.changed_at for h in history)
    assert all(isinstance(h, ConsentChange) for h in history)


def test_onboarding_moves_from_not_started_to_in_progress_to_completed(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org")
    project(ledger, database)
    states = [query(database, lambda conn: customer_360_parts(conn, ada))]
    ledger.complete_onboarding_step(ada, ONBOARDING_STEPS[0], agent, JAN)
    ledger.complete_onboarding_step(ada, "newsletter_read", agent, MAR)  # not a required step
    project(ledger, database)
    states.append(query(database, lambda conn: customer_360_parts(conn, ada)))
    for step in ONBOARDING_STEPS[1:]:
        ledger.complete_onboarding_step(ada, step, agent, JUN)
    project(ledger, database)
    states.append(query(database, lambda conn: customer_360_parts(conn, ada)))

    assert [s.onboarding_state if s else None for s in states] == [
        "not_started",
        "in_progress",
        "completed",
    ]
    final = states[-1]
    assert final is not None
    assert final.onboarding[:2] == [
        OnboardingStepView(ONBOARDING_STEPS[0], JAN),
        OnboardingStepView("newsletter_read", MAR),
    ]
    assert {s.step for s in final.onboarding} == {*ONBOARDING_STEPS, "newsletter_read"}


def test_purchase_summary_gives_recency_frequency_and_totals_per_currency_net_of_refunds(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org")
    buy(ledger, ada, "o-1", "20.00", MAR, PurchaseChannel.STORE)
    buy(ledger, ada, "o-2", "5.50", JAN, PurchaseChannel.WEB)
    buy(ledger, ada, "o-3", "100", JUN, PurchaseChannel.APP, currency="USD")
    ledger.refund_purchase("o-1", "4.25", agent, MAR)
    ledger.refund_purchase("o-1", None, agent, MAR)  # what is left: 15.75
    ledger.refund_purchase("o-3", "10", agent, JUN)

    project(ledger, database, batch_size=2)

    now = datetime(2024, 6, 11, 11, 59, tzinfo=UTC)
    parts = query(database, lambda conn: customer_360_parts(conn, ada, now=now))
    assert parts is not None and parts.purchases is not None
    summary = parts.purchases
    assert summary.totals == [
        CurrencyTotal("EUR", purchases=2, gross_minor=2550, refunded_minor=2000),
        CurrencyTotal("USD", purchases=1, gross_minor=10000, refunded_minor=1000),
    ]
    assert [t.net_minor for t in summary.totals] == [550, 9000]
    assert (summary.count, summary.frequency) == (3, 3)
    assert (summary.first_purchase_at, summary.last_purchase_at) == (JAN, JUN)
    assert summary.channels == ["app", "store", "web"]
    assert summary.recency_days == 9  # 9 days and 23:59 hours: whole days only


def test_a_customer_without_purchases_has_an_empty_summary_and_an_unknown_one_has_no_parts(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org")
    project(ledger, database)

    parts = query(database, lambda conn: customer_360_parts(conn, ada))
    assert parts is not None and parts.purchases is not None
    assert (parts.purchases.count, parts.purchases.totals) == (0, [])
    assert (parts.purchases.recency_days, parts.purchases.last_purchase_at) == (None, None)
    unknown = UUID(int=7)
    assert query(database, lambda conn: customer_360_parts(conn, unknown)) is None


def populate(ledger: Ledger, agent: EventMetadata) -> dict[str, UUID]:
    """Five customers that differ in every filtered dimension."""
    ids = {
        "Ada": register(ledger, agent, "Ada", "ada@example.org", "EU"),
        "Bob": register(ledger, agent, "Bob", "bob@example.org", "US"),
        "Cy": register(ledger, agent, "Cy", "a_b@example.org", "EU"),
        "Di": register(ledger, agent, "100% Di", "axb@example.org", "EU"),
        "Ed": register(ledger, agent, "Ed", "ed@example.org", "US"),
    }
    buy(ledger, ids["Ada"], "a-1", "10", JAN, PurchaseChannel.STORE)
    buy(ledger, ids["Ada"], "a-2", "10", JUN, PurchaseChannel.WEB)
    buy(ledger, ids["Bob"], "b-1", "10", MAR, PurchaseChannel.APP)
    buy(ledger, ids["Cy"], "c-1", "10", JAN, PurchaseChannel.WEB)
    ledger.complete_onboarding_step(ids["Bob"], ONBOARDING_STEPS[0], agent, JAN)
    for step in ONBOARDING_STEPS:
        ledger.complete_onboarding_step(ids["Ed"], step, agent, JAN)
    return ids


def test_each_filter_selects_exactly_the_matching_customers(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    populate(ledger, agent)
    project(ledger, database)

    assert names(page(database, region="EU")) == ["Ada", "Cy", "100% Di"]
    assert names(page(database, channel="web")) == ["Ada", "Cy"]
    assert names(page(database, channel="phone")) == []
    assert names(page(database, last_purchase_before=MAR)) == ["Cy"]
    assert names(page(database, last_purchase_after=JAN)) == ["Ada", "Bob"]
    assert names(page(database, onboarding="not_started")) == ["Ada", "Cy", "100% Di"]
    assert names(page(database, onboarding="in_progress")) == ["Bob"]
    assert names(page(database, onboarding="completed")) == ["Ed"]
    assert names(page(database, search="ED")) == ["Ed"]  # name or email, any case
    assert names(page(database, search="bob@")) == ["Bob"]
    assert names(page(database, region="EU", channel="store")) == ["Ada"]


def test_a_search_prefix_with_like_wildcards_matches_them_literally(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    populate(ledger, agent)
    project(ledger, database)

    assert names(page(database, search="a_b")) == ["Cy"]  # not axb@
    assert names(page(database, search="100%")) == ["100% Di"]
    assert names(page(database, search="%")) == []
    assert names(page(database, search="_")) == []
    assert names(page(database, search="\\")) == []


def test_filtered_pages_follow_each_other_and_count_the_whole_filtered_set(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    populate(ledger, agent)
    project(ledger, database)

    first = page(database, first=2, region="EU")
    assert (names(first), first.has_next_page, first.total_count) == (["Ada", "Cy"], True, 3)
    second = page(database, first=2, after=first.items[-1].seq, region="EU")
    assert (names(second), second.has_next_page, second.total_count) == (["100% Di"], False, 3)
    unfiltered = query(database, lambda conn: customers_page(conn, 10, 0))
    assert unfiltered.total_count == 5 and len(unfiltered.items) == 5


def test_a_page_read_without_its_count_sends_one_statement_and_counts_alone_on_demand(
    ledger: Ledger, database: Database, agent: EventMetadata, tmp_path: Path
) -> None:
    """The API reads a list's page alone and its total only when a client selects
    totalCount: the uncounted page is one statement, and customers_count gives the total the
    counted page gives."""
    populate(ledger, agent)
    project(ledger, database)
    trace = tmp_path / "protocol.trace"
    eu = CustomerFilter(region="EU")

    async def read(conn: AsyncConnection[Any]) -> tuple[CustomerPage, int]:
        with trace.open("w") as sink:
            conn.pgconn.trace(sink.fileno())  # libpq writes each message it sends here
            try:
                uncounted = await customers_page(conn, 2, 0, eu, counted=False)
            finally:
                conn.pgconn.untrace()
        return uncounted, await customers_count(conn, eu)

    uncounted, total = query(database, read)
    assert (names(uncounted), uncounted.has_next_page, uncounted.total_count) == (
        ["Ada", "Cy"],
        True,
        None,
    )
    assert total == page(database, first=2, region="EU").total_count == 3
    sent = [line for line in trace.read_text().splitlines() if "\tParse\t" in line]
    assert len(sent) == 1, sent


def test_an_unfiltered_page_is_prepared_and_a_filtered_one_never(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """``directory_rows`` lets psycopg prepare the unfiltered page (forward and backward)
    once it has been used often enough, and never a filtered one (a generic plan cannot use
    the prefix indexes of a search); prepared or not, the rows are the views' fields."""
    populate(ledger, agent)
    project(ledger, database)
    prepared = "SELECT statement FROM pg_prepared_statements ORDER BY statement"

    async def read(conn: AsyncConnection[Any]) -> tuple[list[str], list[str], list[Any]]:
        for _ in range(8):
            await directory_rows(conn, 2, 0, CustomerFilter(region="EU"))
            await directory_rows(conn, 2, None, CustomerFilter(search="a"), backward=True)
        filtered = [row[0] for row in await (await conn.execute(prepared)).fetchall()]
        pages = []
        for _ in range(8):
            pages.append(await directory_rows(conn, 2, 0))
            pages.append(await directory_rows(conn, 2, None, backward=True))
        unfiltered = [row[0] for row in await (await conn.execute(prepared)).fetchall()]
        return filtered, unfiltered, pages

    filtered, unfiltered, pages = query(database, read)
    assert filtered == []
    assert len(unfiltered) == 2 and all("customer_directory" in s for s in unfiltered)
    forward = query(database, lambda conn: customers_page(conn, 2, 0, counted=False))
    backward = query(database, lambda conn: customers_page_before(conn, 2, None, counted=False))
    for index, page_read in enumerate(pages):
        expected = forward if index % 2 == 0 else backward
        assert [CustomerView(*row) for row in page_read.items] == expected.items
        assert page_read.has_next_page == expected.has_next_page is True
    assert names(forward) == ["Ada", "Bob"] and names(backward) == ["100% Di", "Ed"]


def test_every_filter_is_served_by_its_index(database: Database, ledger: Ledger) -> None:
    """On 20,000 rows where each filter matches a few, the planner picks the filter's index
    (both name and email indexes for a search) for both the page and the count."""
    with database.connect() as conn:
        conn.execute(
            """
            INSERT INTO customer_directory (customer_id, seq, name, email, region,
                registered_at, registered_by_role, registered_through, version,
                last_purchase_at, channels, onboarding_state)
            SELECT gen_random_uuid(), i, 'Name ' || i, 'user' || i || '@example.org',
                'R' || (i % 500), now(), 'agent', 'phone', 1,
                timestamptz '2020-01-01' + i * interval '1 hour',
                CASE WHEN i % 1000 = 0 THEN ARRAY['phone'] ELSE ARRAY['web'] END,
                CASE WHEN i % 1000 = 0 THEN 'completed' ELSE 'not_started' END
            FROM generate_series(1, 20000) AS i
            """
        )
        conn.execute("ANALYZE customer_directory")
        cases = [
            ("customer_directory_region_idx", CustomerFilter(region="R7")),
            ("customer_directory_channels_idx", CustomerFilter(channel="phone")),
            (
                "customer_directory_last_purchase_idx",
                CustomerFilter(last_purchase_after=datetime(2022, 4, 13, tzinfo=UTC)),
            ),
            (
                "customer_directory_last_purchase_idx",
                CustomerFilter(last_purchase_before=datetime(2020, 1, 2, tzinfo=UTC)),
            ),
            ("customer_directory_onboarding_idx", CustomerFilter(onboarding="completed")),
            (
                "customer_directory_name_prefix_idx customer_directory_email_prefix_idx",
                CustomerFilter(search="user_1999"),  # an escaped wildcard keeps the range
            ),
        ]
        for indexes, customer_filter in cases:
            page_sql, count_sql, params = page_statements(customer_filter, 20, 0)
            for statement in (page_sql, count_sql):
                plan = conn.execute("EXPLAIN " + statement, params, prepare=False).fetchall()
                text = "\n".join(str(line[0]) for line in plan)
                for index in indexes.split():
                    assert f"Index Scan on {index}" in text or f"using {index}" in text, text


def erased(event: Any) -> Any:
    """The event as it decodes once its subject's key is gone: personal values erased."""
    changes = {
        field.name: PersonalData(event.originator_id, None)
        for field in dataclasses.fields(event)
        if isinstance(getattr(event, field.name), PersonalData)
    }
    return dataclasses.replace(event, **changes)


def test_erased_personal_values_are_stored_as_null(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada", "ada@example.org")
    ledger.change_email(ada, "ada.king@example.org", agent)
    ledger.change_address(ada, Address.checked("1 Main St", None, "Rome", None, "IT"), agent)
    rows = ledger.recorder.select_notifications(start=1, limit=100)
    events = [Positioned(row.id, erased(ledger.mapper.to_domain_event(row))) for row in rows]

    with database.connect() as conn, conn.cursor() as cursor:
        CustomerDirectory().apply(cursor, events)
        conn.commit()

    row = query(database, lambda conn: customer_by_id(conn, ada))
    parts = query(database, lambda conn: customer_360_parts(conn, ada))
    assert row is not None and parts is not None
    assert (row.name, row.email, row.phone, row.personal_data_erased) == (None, None, None, True)
    assert parts.profile.address is None


def test_a_listed_only_page_reads_the_listed_columns_and_nulls_the_others(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """``listed_only`` keeps the row's layout: the columns of ``LISTED_FIELDS`` as the full
    read gives them, None in every other place, then the id's text as Python writes it;
    forward, backward, filtered or not."""
    populate(ledger, agent)
    project(ledger, database)
    reads: list[tuple[int, int | None, CustomerFilter, bool]] = [
        (2, 0, CustomerFilter(), False),
        (2, None, CustomerFilter(), True),
        (2, 5, CustomerFilter(), True),
        (2, 0, CustomerFilter(region="EU"), False),
        (2, None, CustomerFilter(search="a"), True),
    ]

    async def read(conn: AsyncConnection[Any]) -> list[tuple[DirectoryRows, DirectoryRows]]:
        pairs = []
        for _ in range(6):  # past psycopg's threshold: the listed statements prepared too
            for size, cursor, given, backward in reads:
                full = await directory_rows(conn, size, cursor, given, backward)
                listed = await directory_rows(conn, size, cursor, given, backward, True)
                pairs.append((full, listed))
        return pairs

    for full, listed in query(database, read):
        assert full.items and listed.has_next_page == full.has_next_page
        assert len(listed.items) == len(full.items)
        for full_row, listed_row in zip(full.items, listed.items, strict=True):
            expected = tuple(
                value if name in LISTED_FIELDS else None
                for name, value in zip(VIEW_FIELDS, full_row, strict=True)
            )
            assert listed_row[:LISTED_ID_TEXT] == expected
            assert listed_row[LISTED_ID_TEXT:] == (str(full_row[0]),)
            assert full_row[VIEW_FIELDS.index("registered_at")] is not None
