"""Issue 16: an accepted purchase of 3,000,000,000.00 EUR, earning one point per euro, stopped
the loyalty statements for everyone (``integer out of range``), and every later purchase of every
member earned 0 there. Now both members' points land in the read model, nothing is parked, and a
rebuild gives the same read model."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from domain.ledger import Ledger
from domain.loyalty.policies import LoyaltyEarning
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.rebuild import rebuild
from projections.loyalty.projection import LoyaltyStatements
from projections.loyalty.queries import account_view
from projections.loyalty.views import LoyaltyAccountView
from projections.parked import parked_events
from projections.tracking import all_positions
from tests.integration.loyalty_steps import T0, bought, catch_up, customer, one_point_per_euro
from tests.support.read_models import query

LATER = T0 + timedelta(days=20)  # past the return window: the points are spendable


def statement(database: Database, customer_id: UUID) -> LoyaltyAccountView:
    view = query(database, lambda conn: account_view(conn, customer_id, LATER))
    assert view is not None
    return view


def project_loyalty(ledger: Ledger, database: Database) -> None:
    catch_up(ProcessManagerRunner(ledger, database, LoyaltyEarning(), batch_size=50), database)
    with database.connect() as conn:
        ProjectionRunner(ledger, database, LoyaltyStatements(), batch_size=50).catch_up(conn)


def test_a_three_billion_euro_purchase_and_the_next_members_purchase_both_earn_in_the_read_model(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    ada, bo = customer(ledger, "ada@example.org"), customer(ledger, "bo@example.org")
    bought(ledger, ada, "3000000000.00")
    bought(ledger, bo, "25.00")

    project_loyalty(ledger, database)

    with database.connect() as conn:
        assert parked_events(conn) == []
        assert all_positions(conn)["loyalty_statements"] == ledger.head_position()
    big, small = statement(database, ada), statement(database, bo)
    assert (big.points_earned, big.balance.spendable) == (3_000_000_000, 3_000_000_000)
    assert (small.points_earned, small.balance.spendable) == (25, 25)
    assert big.tier == "gold"


def test_the_loyalty_statements_rebuild_over_a_three_billion_point_earning(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    ada, bo = customer(ledger, "ada@example.org"), customer(ledger, "bo@example.org")
    bought(ledger, ada, "3000000000.00")
    bought(ledger, bo, "25.00")
    project_loyalty(ledger, database)
    before = (statement(database, ada), statement(database, bo))

    reached = rebuild(ledger, database, LoyaltyStatements(), batch_size=7)

    assert reached == ledger.head_position()
    assert (statement(database, ada), statement(database, bo)) == before
    with database.connect() as conn:
        assert parked_events(conn) == []
