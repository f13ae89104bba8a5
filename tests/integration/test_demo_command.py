"""`cxledger demo`, run as a frontend developer runs it: a realistic company written through
the ledger's commands, every read model filled, an analyst's dashboard alive; refused where
demo data does not belong; the same seed, the same company."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from psycopg import sql

from domain.shared.metadata import Role
from infrastructure.database import Database
from projections.registry import ALL_PROJECTIONS
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import live_api

CUSTOMERS = 30


@dataclass(frozen=True)
class Demo:
    database: Database
    result: subprocess.CompletedProcess[str]


def demo(database: Database, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CXLEDGER, "demo", *args],
        cwd=REPO,
        env=cli_env(database, None, **env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def written(pg_admin: str) -> Iterator[Demo]:
    with fresh_database(pg_admin) as database:
        yield Demo(database, demo(database, "--customers", str(CUSTOMERS), "--seed", "7"))


def rows(database: Database, query: str, *params: object) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        return conn.execute(query, params).fetchall()


def head(database: Database) -> int:
    return int(rows(database, "SELECT coalesce(max(notification_id), 0) FROM ledger_events")[0][0])


def test_the_demo_succeeds_and_shows_its_progress(written: Demo) -> None:
    assert written.result.returncode == 0, written.result.stderr
    assert f"{CUSTOMERS}/{CUSTOMERS} customers" in written.result.stderr
    assert f'"customers": {CUSTOMERS}' in written.result.stdout


def test_every_read_model_has_rows(written: Demo) -> None:
    empty = []
    for projection in ALL_PROJECTIONS:
        total = 0
        for table in projection.tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            with written.database.connect() as conn:
                (count,) = conn.execute(query).fetchone() or (0,)
            total += int(count)
        if total == 0:
            empty.append(projection.name)
    assert empty == []


def test_every_read_model_is_caught_up_with_the_log(written: Demo) -> None:
    positions = dict(rows(written.database, "SELECT name, position FROM cxl_projection_positions"))
    reached = head(written.database)
    behind = {p.name: positions.get(p.name) for p in ALL_PROJECTIONS}
    assert behind == {p.name: reached for p in ALL_PROJECTIONS}


def test_the_company_has_customers_purchases_tickets_in_many_states_and_referrals(
    written: Demo,
) -> None:
    database = written.database
    assert rows(database, "SELECT count(*) FROM customer_directory")[0][0] == CUSTOMERS
    regions = rows(database, "SELECT count(DISTINCT region) FROM customer_directory")[0][0]
    assert regions >= 3
    states = {r[0] for r in rows(database, "SELECT DISTINCT status FROM tickets")}
    assert len(states) >= 3, states
    conversions = rows(database, "SELECT count(*) FROM referral_referrals")[0][0]
    assert conversions >= 1


DASHBOARD = """
query {
  surveyDashboard {
    figures { responses invitations responseRate nps { responses nps suppressed } }
    breakdown(by: PRODUCT_VERSION) { value figures { responses } }
    insight { comments }
  }
  serviceMetrics { totals { ticketsOpened ticketsResolved } }
  loyaltyProgramMetrics { members pointsEarned pointsRedeemed }
}
"""


def test_an_analyst_sees_a_living_dashboard(written: Demo) -> None:
    with postgres_ledger(written.database) as ledger, live_api(ledger, written.database) as api:
        body = api.graphql(DASHBOARD, role=Role.ANALYST).json()
    assert "errors" not in body, body
    figures = body["data"]["surveyDashboard"]["figures"]
    assert figures["responses"] > 0 and figures["invitations"] > 0
    assert figures["responseRate"] is not None
    assert figures["nps"]["nps"] is not None and not figures["nps"]["suppressed"]
    versions = {g["value"] for g in body["data"]["surveyDashboard"]["breakdown"]}
    assert {"4.1", "5.0"} <= versions
    assert body["data"]["surveyDashboard"]["insight"]["comments"] > 0
    service = body["data"]["serviceMetrics"]["totals"]
    assert service["ticketsOpened"] > 0 and service["ticketsResolved"] > 0
    loyalty = body["data"]["loyaltyProgramMetrics"]
    assert loyalty["members"] > 0 and loyalty["pointsEarned"] > 0


def test_a_database_that_holds_customers_is_refused_and_left_unchanged(written: Demo) -> None:
    before = head(written.database)
    refused = demo(written.database, "--customers", "5")
    assert refused.returncode == 2
    assert "already holds customers" in refused.stderr and "--force" in refused.stderr
    assert head(written.database) == before


def test_production_is_refused_without_force_before_anything_is_written(written: Demo) -> None:
    before = head(written.database)
    refused = demo(written.database, "--customers", "5", CXL_ENVIRONMENT="production")
    assert refused.returncode == 2
    assert "production" in refused.stderr and "--force" in refused.stderr
    assert head(written.database) == before


@pytest.mark.parametrize("customers", ["0", "100001", "many"])
def test_a_number_of_customers_out_of_bounds_is_refused(written: Demo, customers: str) -> None:
    before = head(written.database)
    refused = demo(written.database, "--customers", customers)
    assert refused.returncode == 2
    assert "--customers" in refused.stderr
    assert head(written.database) == before


def company(database: Database) -> list[tuple[Any, ...]]:
    """Who joined, where, and what they bought: what a seed decides."""
    return rows(
        database,
        "SELECT d.customer_id, d.region, p.order_id, p.amount_minor, p.currency"
        " FROM customer_directory d LEFT JOIN customer_purchases p USING (customer_id)"
        " ORDER BY 1, 3",
    )


def test_the_same_seed_writes_the_same_company_and_another_seed_another(pg_admin: str) -> None:
    with (
        fresh_database(pg_admin) as first,
        fresh_database(pg_admin) as second,
        fresh_database(pg_admin) as third,
    ):
        for database, seed in ((first, "3"), (second, "3"), (third, "4")):
            result = demo(database, "--customers", "8", "--seed", seed)
            assert result.returncode == 0, result.stderr
        assert company(first) == company(second)
        assert company(first) != company(third)


def test_force_adds_another_seeds_company_and_refuses_the_same_seed_again(written: Demo) -> None:
    """Forced into a database with customers, the demo adds a second company beside the first
    (its own ids, orders and rewards; the rule book kept); the same seed again would collide
    with its own ids and is refused, writing nothing."""
    database = written.database
    customers = rows(database, "SELECT count(*) FROM customer_directory")[0][0]
    rules = rows(database, "SELECT count(*) FROM loyalty_earning_rules")[0][0]
    again = demo(database, "--customers", "5", "--seed", "7", "--force")
    assert again.returncode == 2 and "seed 7" in again.stderr, again.stderr
    added = demo(database, "--customers", "5", "--seed", "8", "--force")
    assert added.returncode == 0, added.stderr
    assert rows(database, "SELECT count(*) FROM customer_directory")[0][0] == customers + 5
    assert rows(database, "SELECT count(*) FROM loyalty_earning_rules")[0][0] == rules
