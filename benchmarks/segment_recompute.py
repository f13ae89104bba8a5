"""Recomputing a segment over N customers, against a plain count of the facts table.

``segment_facts`` is filled set-based with N customers (regions, birth years, languages,
purchase channels and figures, NPS categories, tiers, open tickets, consents, onboarding),
then, on one connection in the same run, each of these is timed (median of ``--repeat``, each
in the transaction of the runs before it, committed after them):

- ``SELECT count(*) FROM segment_facts``: the baseline;
- the RFM quintiles over the base (one ``ntile()`` statement, as the first event of a day runs);
- a segment's recomputation (``projections.segments.membership.recompute_segment``, what a
  definition or rule change runs), alternating two rules so that each run moves customers
  both in and out;
- one customer against 10 live segments (what each fact-changing event runs).

Each is printed with its ratio to the baseline.

    .venv/bin/python -m benchmarks.segment_recompute [--customers 100000] [--repeat 5]
        [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from psycopg import Connection

from domain.segment.rules import parse_rule
from infrastructure.database import Database, scratch_database, scratch_server
from projections.segments.membership import Cause, recompute_segment, reevaluate_customer
from projections.segments.predicates import condition
from projections.segments.projection import SegmentMembership
from projections.segments.rfm import recompute_quintiles

_FILL = """
    INSERT INTO segment_facts (customer_id, region, birth_year, language, channels, purchases,
        last_purchase_at, nps_category, loyalty_tier, open_tickets, consents,
        onboarding_steps)
    SELECT gen_random_uuid(),
        (ARRAY['EU-WEST','EU-CENTRAL','NORDICS','UK','NA','LATAM'])[1 + n %% 6],
        1940 + (n::bigint * 7919) %% 66,  -- bigint: n * 7919 passes 2**31 past 271,000
        (ARRAY['en','de','fr','it','sv','es','pt-BR'])[1 + (n * 31) %% 7],
        (ARRAY[ARRAY['web','app'],ARRAY['store','store'],ARRAY['app','phone']])[1 + n %% 3][1:2],
        p,
        CASE WHEN p > 0 THEN %(start)s::timestamptz - (n %% 365) * interval '1 day' END,
        (ARRAY['promoter','passive','detractor',NULL])[1 + (n * 17) %% 4],
        (ARRAY['bronze','silver','gold',NULL])[1 + (n * 11) %% 4],
        (n * 5) %% 3,
        (ARRAY[ARRAY['marketing','research'],ARRAY['research','research'],
               ARRAY['marketing','testimonials']])[1 + (n * 3) %% 3][1:2],
        (ARRAY[ARRAY['profile','app'],ARRAY['profile','profile']])[1 + n %% 2][1:2]
    FROM generate_series(1, %(customers)s) AS n,
        LATERAL (SELECT (n * 7) %% 12 AS p) AS purchases
"""
_SPEND = """
    INSERT INTO segment_spend (customer_id, currency, purchases, amount_minor)
    SELECT customer_id,
        (ARRAY['EUR','EUR','EUR','USD','GBP'])[1 + mod(abs(hashtext(customer_id::text)), 5)],
        purchases, purchases * (1000 + (hashtext(customer_id::text) & 65535))
    FROM segment_facts WHERE purchases > 0
"""
"""Each buyer's spend, in one of three currencies (mostly euros)."""
RULES = [
    {
        "all": [
            {"field": "region", "values": ["EU-WEST", "EU-CENTRAL", "NORDICS"]},
            {"field": "consent", "values": ["marketing"]},
            {"field": "recency", "min": 3},
            {"not": {"field": "open_tickets", "min": 2}},
        ]
    },
    {
        "any": [
            {"field": "loyalty_tier", "values": ["gold"]},
            {"all": [{"field": "monetary", "min": 4}, {"field": "nps_category",
                                                       "values": ["promoter"]}]},
        ]
    },
]  # fmt: skip


def fill(database: Database, customers: int) -> float:
    started = time.perf_counter()
    with database.connect() as conn:
        conn.execute(SegmentMembership.ddl)
        conn.execute(_FILL, {"customers": customers, "start": datetime(2026, 1, 1, tzinfo=UTC)})
        conn.execute(_SPEND)
        recompute_quintiles(conn.cursor())
        conn.execute("ANALYZE segment_facts")
        conn.execute("ANALYZE segment_spend")
        conn.commit()
    return time.perf_counter() - started


def median(conn: Connection[Any], repeat: int, work: Callable[[int], object]) -> float:
    # The commit (a WAL flush on a shared disk) is left out: the projection commits once per
    # batch of events, not once per statement.
    times = []
    for run in range(repeat):
        started = time.perf_counter()
        work(run)
        times.append(time.perf_counter() - started)
    conn.commit()
    return statistics.median(times)


def measure(database: Database, repeat: int) -> list[tuple[str, float]]:
    segment = uuid.uuid4()
    rules = [condition(parse_rule(rule)) for rule in RULES]
    others = {uuid.uuid4(): rules[i % 2] for i in range(10)}
    with database.connect() as conn:
        cursor = conn.cursor()
        customer = cursor.execute("SELECT customer_id FROM segment_facts LIMIT 1").fetchone()
        assert customer is not None
        for segment_id, rule in others.items():
            recompute_segment(cursor, segment_id, rule, Cause(datetime.now(UTC), 1, "Bench"))
        conn.commit()

        def count(_: int) -> object:
            return cursor.execute("SELECT count(*) FROM segment_facts").fetchone()

        def recompute(run: int) -> None:
            cause = Cause(datetime.now(UTC), run + 2, "Bench")
            recompute_segment(cursor, segment, rules[run % 2], cause)

        def quintiles(_: int) -> None:
            recompute_quintiles(cursor)

        def one_customer(run: int) -> None:
            cause = Cause(datetime.now(UTC), run + 2, "Bench")
            reevaluate_customer(cursor, customer[0], others, cause)

        return [
            ("SELECT count(*) (baseline)", median(conn, repeat, count)),
            ("RFM quintiles over the base", median(conn, repeat, quintiles)),
            ("recompute one segment", median(conn, repeat, recompute)),
            ("one customer, 10 segments", median(conn, repeat, one_customer)),
        ]  # fmt: skip


def run(admin_conninfo: str, customers: int, repeat: int) -> None:
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        loaded = fill(database, customers)
        measured = measure(database, repeat)
    baseline = measured[0][1]
    print(f"{customers:,} customers' facts loaded in {loaded:.1f} s; median of {repeat} runs")
    print(f"{'work':<30}  {'median ms':>9}  ratio to count(*)")
    for name, seconds in measured:
        print(f"{name:<30}  {seconds * 1000:>9.2f}  {seconds / baseline:>17.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="customers to load")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.customers, args.repeat)


if __name__ == "__main__":
    main()
