"""customersAtRisk's query over 100,000 customers, against a plain indexed SELECT of the same
table in the same run.

The health read model is filled set-based (``INSERT ... SELECT`` from ``generate_series``):
customers whose last purchase lies within two years (some never bought), with static points
spread over the whole range, about a fifth of them under the at-risk band's bound. Then the
first page of the at-risk list (``projections.success.queries.at_risk_page``, 20 items, the
score computed with recency at read time) and the page after its cursor run repeatedly; each
median is printed with its ratio to the median of a plain indexed SELECT of 20 rows by
primary key order (``... ORDER BY customer_id LIMIT 20``) on the same connection.

    .venv/bin/python -m benchmarks.customers_at_risk [--customers 100000] [--repeat 15]
        [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import psycopg

from benchmarks.support.setup import add_database_url, scratch
from infrastructure.database import Database
from projections.success.projection import CustomerHealth
from projections.success.queries import at_risk_page

AsyncConn = psycopg.AsyncConnection[Any]

_FILL = """
    INSERT INTO health_customers (customer_id, seq, last_purchase_at, latest_nps, previous_nps,
        open_tickets, breached_tickets, complaints, survey_answers, static_points)
    SELECT gen_random_uuid(), n,
        CASE WHEN random() < 0.1 THEN NULL ELSE now() - random() * interval '730 days' END,
        floor(random() * 11)::int, floor(random() * 11)::int, floor(random() * 3)::int,
        floor(random() * 2)::int, floor(random() * 3)::int, floor(random() * 5)::int,
        floor(random() * 7001)::int
    FROM generate_series(1, %(customers)s) AS n
"""


def fill(database: Database, customers: int) -> float:
    started = time.monotonic()
    with database.connect() as conn:
        conn.execute(CustomerHealth.ddl)
        conn.execute(_FILL, {"customers": customers})
        conn.execute("ANALYZE health_customers")
        conn.commit()
    return time.monotonic() - started


async def median(conn: AsyncConn, run: Callable[[], Awaitable[object]], repeat: int) -> float:
    await run()  # warm the cache and the plan
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def measure(database: Database, repeat: int) -> dict[str, float]:
    now = datetime.now(UTC)
    async with await psycopg.AsyncConnection.connect(database.conninfo) as conn:

        async def baseline() -> object:
            cur = await conn.execute(
                "SELECT customer_id, static_points FROM health_customers"
                " ORDER BY customer_id LIMIT 20"
            )
            return await cur.fetchall()

        first = await at_risk_page(conn, 20, 0, now)
        cursor = first.items[-1].cursor if first.items else 0

        async def first_page() -> object:
            return await at_risk_page(conn, 20, 0, now)

        async def next_page() -> object:
            return await at_risk_page(conn, 20, cursor, now)

        return {
            "baseline": await median(conn, baseline, repeat),
            "first page": await median(conn, first_page, repeat),
            "page after a cursor": await median(conn, next_page, repeat),
        }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    add_database_url(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch(args.database_url) as database:
        seconds = fill(database, args.customers)
        print(f"{args.customers} customers filled in {seconds:.1f} s")
        timings = asyncio.run(measure(database, args.repeat))
    base = timings["baseline"]
    print(f"{'query':<22} {'median ms':>10} {'ratio to indexed SELECT':>24}")
    for name, seconds in timings.items():
        print(f"{name:<22} {seconds * 1000:>10.2f} {seconds / base:>24.1f}")


if __name__ == "__main__":
    main()
