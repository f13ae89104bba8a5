"""The loyalty read model, driven by real commands: statements that agree with the aggregate
at any time, past balances from the lot moves, transactions with their causes, the catalog,
program metrics, identical rebuilds and idempotent re-application."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.values import ProgramTerms
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from projections.loyalty.projection import LoyaltyStatements
from projections.loyalty.queries import (
    account_view,
    balance_as_of,
    earning_rules,
    program_metrics,
    program_terms,
    reward_by_id,
    rewards_page,
    tier_history,
    transactions_page,
    upcoming_expiries,
)
from projections.loyalty.views import BalanceView, ExpiryView, TransactionKind
from tests.integration.loyalty_world import (
    ADMIN,
    DUE,
    NOW,
    SYSTEM,
    T0,
    World,
    day,
    populate,
    project,
)
from tests.support.ledgers import postgres_ledger
from tests.support.read_models import query


@pytest.fixture
def world(ledger: Ledger, database: Database) -> World:
    w = populate(ledger)
    project(ledger, database)
    return w


def account(ledger: Ledger, customer_id: UUID) -> LoyaltyAccount:
    return ledger.get_loyalty_account(customer_id)


def statement_balance(database: Database, customer_id: UUID, at: datetime) -> BalanceView:
    view = query(database, lambda conn: account_view(conn, customer_id, at))
    assert view is not None
    return view.balance


def held(database: Database, customer_id: UUID, at: datetime) -> BalanceView | None:
    return query(database, lambda conn: balance_as_of(conn, customer_id, at))


def test_the_statement_balance_and_pending_equal_the_aggregates_at_any_time(
    ledger: Ledger, database: Database, world: World
) -> None:
    for member in (world.ada, world.bob, world.eve):
        aggregate = account(ledger, member)
        for at in (T0, day(10), day(14.5), day(20), day(30), NOW, DUE, day(400)):
            expected = BalanceView(at, aggregate.balance(at), aggregate.pending(at))
            assert statement_balance(database, member, at) == expected
            if at > day(28):  # after the last event, the past and the present agree
                assert held(database, member, at) == expected


def test_a_past_balance_is_what_the_account_held_then(
    ledger: Ledger, database: Database, world: World
) -> None:
    assert held(database, world.ada, day(5)) == BalanceView(day(5), 0, 1300)
    assert held(database, world.ada, day(20.5)) == BalanceView(
        day(20.5), 1200, 0
    )  # after the coffee
    assert held(database, world.ada, day(21.5)) == BalanceView(
        day(21.5), 1150, 0
    )  # the tote, before its reversal
    assert held(database, world.ada, day(29)) == BalanceView(day(29), 570, 0)
    # Replaying the stream up to each event gives the figure as of that event's time (where
    # no later event shares the instant).
    account_id = LoyaltyAccount.id_for(world.ada)
    stream: list[Any] = list(ledger.events.get(account_id))
    checked = 0
    for event, following in zip(stream, [*stream[1:], None], strict=True):
        if following is None or following.at > event.at:
            replayed: LoyaltyAccount = ledger.repository.get(
                account_id, version=event.originator_version
            )
            expected = BalanceView(event.at, replayed.balance(event.at), replayed.pending(event.at))
            assert held(database, world.ada, event.at) == expected
            checked += 1
    assert checked == 9


def test_balance_as_of_is_none_without_an_account_and_zero_before_enrolment(
    database: Database, world: World
) -> None:
    assert query(database, lambda conn: balance_as_of(conn, world.cy, NOW)) is None
    assert query(database, lambda conn: account_view(conn, world.cy, NOW)) is None
    before = T0 - timedelta(days=1)
    assert query(database, lambda conn: balance_as_of(conn, world.ada, before)) == BalanceView(
        before, 0, 0
    )


def test_transactions_come_newest_first_with_their_causes(database: Database, world: World) -> None:
    page = query(database, lambda conn: transactions_page(conn, world.ada, 20, None))
    summary = [(t.kind, t.points) for t in page.items]
    assert summary == [
        (TransactionKind.CLAWED_BACK, -600),
        (TransactionKind.ADJUSTED, -10),
        (TransactionKind.ADJUSTED, 30),
        (TransactionKind.CLAWED_BACK, -50),
        (TransactionKind.REDEMPTION_REVERSED, 50),
        (TransactionKind.REDEEMED, -50),
        (TransactionKind.REDEEMED, -100),
        (TransactionKind.EARNED, 100),
        (TransactionKind.EARNED, 1200),
    ]
    assert not page.has_next_page
    first_order, coffee, reversal = page.items[-1], page.items[-3], page.items[4]
    assert (first_order.order_id, first_order.rule_ids) == ("ada-1", [str(world.rule)])
    assert (first_order.actor_id, first_order.actor_role, first_order.channel) == (
        "loyalty-earning", "system", "system",
    )  # fmt: skip
    assert (coffee.reward_id, coffee.reward_name, coffee.at) == (world.coffee, "Coffee", day(20))
    assert (reversal.reason, reversal.reward_name) == ("wrong colour", "Tote bag")
    assert page.items[3].order_id == "ada-2"
    assert [t.reason for t in page.items[1:3]] == ["double credit", "goodwill"]


def test_transactions_page_by_cursor(database: Database, world: World) -> None:
    everything = query(database, lambda conn: transactions_page(conn, world.ada, 20, None)).items
    first = query(database, lambda conn: transactions_page(conn, world.ada, 4, None))
    rest = query(database, lambda conn: transactions_page(conn, world.ada, 20, first.items[-1].seq))
    assert first.has_next_page and not rest.has_next_page
    assert first.items + rest.items == everything


def test_a_clawback_of_spent_points_records_what_it_could_not_recover(
    database: Database, world: World
) -> None:
    page = query(database, lambda conn: transactions_page(conn, world.bob, 20, None))
    clawback = page.items[0]
    assert (clawback.kind, clawback.points, clawback.unrecovered) == (
        TransactionKind.CLAWED_BACK, -50, 50,
    )  # fmt: skip
    assert sum(t.points for t in page.items) == 0


def test_transactions_sum_to_the_points_held_including_expired_but_not_yet_taken(
    ledger: Ledger, database: Database, world: World
) -> None:
    def total(customer_id: UUID) -> int:
        page = query(database, lambda conn: transactions_page(conn, customer_id, 100, None))
        return sum(t.points for t in page.items)

    aggregate = account(ledger, world.ada)
    due = sum(lot["remaining"] for lot in aggregate.lots.values() if lot["expires_at"] <= DUE)
    assert due == 490
    assert total(world.ada) == aggregate.balance(DUE) + aggregate.pending(DUE) + due

    ledger.expire_points(world.ada, SYSTEM, now=DUE)
    project(ledger, database)

    assert total(world.ada) == account(ledger, world.ada).balance(DUE) == 80
    view = query(database, lambda conn: account_view(conn, world.ada, DUE))
    assert view is not None and view.points_expired == 490


def test_the_account_view_shows_tier_progress_and_the_next_expiry(
    database: Database, world: World
) -> None:
    view = query(database, lambda conn: account_view(conn, world.ada, NOW))
    assert view is not None
    assert (view.tier, view.tier_since, view.qualifying_points) == ("bronze", day(28), 650)
    assert (view.next_tier, view.points_to_next_tier) == ("silver", 350)
    assert view.next_expiry == ExpiryView(day(365), 490)
    assert (view.points_earned, view.points_redeemed, view.points_expired) == (1300, 100, 0)
    expiries = query(database, lambda conn: upcoming_expiries(conn, world.ada, NOW, 10))
    assert expiries == [
        ExpiryView(day(365), 490),
        ExpiryView(day(366), 50),
        ExpiryView(day(391), 30),
    ]
    history = query(database, lambda conn: tier_history(conn, world.ada))
    assert [(c.from_tier, c.to_tier, c.at, c.qualifying_points) for c in history] == [
        ("silver", "bronze", day(28), 650),
        ("bronze", "silver", T0, 1200),
    ]


def test_the_catalog_counts_stock_and_redemptions(
    ledger: Ledger, database: Database, world: World
) -> None:
    coffee = query(database, lambda conn: reward_by_id(conn, world.coffee))
    tote = query(database, lambda conn: reward_by_id(conn, world.tote))
    assert coffee is not None and tote is not None
    assert (coffee.stock, coffee.redemptions) == (2, 1)
    assert (tote.stock, tote.redemptions) == (None, 1)  # Ada's was reversed
    ledger.change_reward(world.coffee, lambda r, at: r.restock(5, at), ADMIN, now=NOW)
    ledger.change_reward(world.tote, lambda r, at: r.retire(at), ADMIN, now=NOW)
    project(ledger, database)

    active = query(database, lambda conn: rewards_page(conn, 10, None, False))
    assert [(r.name, r.stock) for r in active.items] == [("Coffee", 7)]
    everything = query(database, lambda conn: rewards_page(conn, 1, None, True))
    after = query(database, lambda conn: rewards_page(conn, 1, everything.items[0].seq, True))
    assert everything.has_next_page and not after.has_next_page
    assert [(r.name, r.retired) for r in after.items] == [("Tote bag", True)]


def test_the_rule_book_and_terms_read_back(
    ledger: Ledger, database: Database, world: World
) -> None:
    [rule] = query(database, lambda conn: earning_rules(conn, False))
    assert (rule.rule_id, rule.kind, rule.definition["points_per_unit"]) == (
        world.rule, "base_rate", 1,
    )  # fmt: skip
    assert rule.definition["rule_id"] == str(world.rule)
    ledger.retire_earning_rule(world.rule, ADMIN, now=NOW)
    ledger.change_program_terms(ProgramTerms(200, 7), ADMIN, now=NOW)
    project(ledger, database)

    assert query(database, lambda conn: earning_rules(conn, False)) == []
    [retired] = query(database, lambda conn: earning_rules(conn, True))
    assert retired.retired_at == NOW
    terms = query(database, program_terms)
    assert (terms.points_lifetime_days, terms.return_window_days, terms.changed_at) == (200, 7, NOW)


def test_before_the_program_starts_its_terms_are_the_defaults(
    ledger: Ledger, database: Database
) -> None:
    project(ledger, database)
    terms = query(database, program_terms)
    assert (terms.points_lifetime_days, terms.return_window_days, terms.changed_at) == (
        365, 14, None,
    )  # fmt: skip


def test_program_metrics_on_a_known_population(database: Database, world: World) -> None:
    metrics = query(database, lambda conn: program_metrics(conn, NOW))
    assert (metrics.customers, metrics.members, metrics.enrolment_rate) == (5, 3, 60.0)
    assert metrics.active_members == 2
    assert (metrics.points_earned, metrics.points_redeemed) == (1400, 150)
    assert metrics.redemption_rate == pytest.approx(100 * 150 / 1400)
    assert metrics.points_liability == 570
    assert metrics.repeat_purchase_rate_members == pytest.approx(100 / 3)
    assert metrics.repeat_purchase_rate_non_members == 50.0
    later = query(database, lambda conn: program_metrics(conn, day(200)))
    assert later.active_members == 0


def test_metrics_of_an_empty_program_have_no_rates(ledger: Ledger, database: Database) -> None:
    project(ledger, database)
    metrics = query(database, lambda conn: program_metrics(conn, NOW))
    assert (metrics.customers, metrics.members, metrics.points_liability) == (0, 0, 0)
    assert metrics.enrolment_rate is None and metrics.redemption_rate is None
    assert metrics.repeat_purchase_rate_members is None
    assert metrics.repeat_purchase_rate_non_members is None


def test_an_erased_members_reasons_rebuild_as_null_with_points_intact(
    ledger: Ledger, database: Database, world: World
) -> None:
    before = query(database, lambda conn: transactions_page(conn, world.ada, 20, None))
    with database.connect() as conn:
        conn.execute("DELETE FROM cxl_subject_keys WHERE subject_id = %s", (world.ada,))
        conn.commit()

    with postgres_ledger(database) as fresh:  # no key cached from before the erasure
        rebuild(fresh, database, LoyaltyStatements(), batch_size=5)

    after = query(database, lambda conn: transactions_page(conn, world.ada, 20, None))
    assert [t.reason for t in before.items if t.reason] == [
        "double credit", "goodwill", "wrong colour",
    ]  # fmt: skip
    assert [t.reason for t in after.items] == [None] * len(before.items)
    assert [(t.seq, t.points) for t in after.items] == [(t.seq, t.points) for t in before.items]
