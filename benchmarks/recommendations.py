"""Recommendations at scale: keeping product affinity and ranking one customer's products.

N customers each buy ``--products`` distinct products from a catalogue of ``--catalogue``
skus (popularity skewed: a few products sell to many), in rounds (every customer's k-th
product in round k), so each batch adds products to customers who already have some: the
incremental path. Measured in the same run, on one connection:

- loading: the lines through the read model's own set-based write (``AffinityChanges``, in
  batches of ``--batch`` lines: purchases per customer, buyers per product, co-buyers per
  pair), against raw multi-row INSERTs of the same (customer, sku) rows into a plain table
  with the same primary key (the baseline); the events' decoding is not part of it;
- reading: ``recommendations_for`` for ``--repeat`` customers (median), against an indexed
  primary-key SELECT of one product (the baseline).

    .venv/bin/python -m benchmarks.recommendations [--customers 100000] [--products 10]
        [--catalogue 2000] [--repeat 50] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

from psycopg import AsyncConnection, Connection

from infrastructure.database import Database, scratch_database, scratch_server
from projections.recommendations.affinity import AffinityChanges
from projections.recommendations.projection import ProductAffinity
from projections.recommendations.queries import recommendations_for

_RAW = """
    CREATE TABLE raw_purchases (customer_id uuid NOT NULL, sku text NOT NULL,
        PRIMARY KEY (customer_id, sku));
"""
_RAW_INSERT = "INSERT INTO raw_purchases SELECT * FROM unnest(%s::uuid[], %s::text[])"


def rounds(
    customers: int, products: int, catalogue: int, seed: int
) -> list[list[tuple[uuid.UUID, str]]]:
    """Per round, one new product for every customer (skewed popularity, no repeats)."""
    rng = random.Random(seed)
    skus = [f"SKU-{i:06d}" for i in range(catalogue)]
    weights = [1 / (rank + 1) for rank in range(catalogue)]  # Zipf-like
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(customers)]
    baskets = []
    for _ in ids:
        chosen: set[str] = set()
        while len(chosen) < min(products, catalogue):
            chosen.update(rng.choices(skus, weights, k=products - len(chosen)))
        baskets.append(sorted(chosen))
    return [[(ids[c], basket[k]) for c, basket in enumerate(baskets)] for k in range(products)]


def batches(lines: list[tuple[uuid.UUID, str]], size: int) -> Iterator[list[tuple[uuid.UUID, str]]]:
    for start in range(0, len(lines), size):
        yield lines[start : start + size]


def load(
    conn: Connection[Any], plan: list[list[tuple[uuid.UUID, str]]], size: int
) -> tuple[float, float]:
    """Seconds to load every line: raw INSERTs, then the read model's write; each batch is
    committed, as the projection runner commits each batch."""
    started = time.perf_counter()
    for lines in (b for round_ in plan for b in batches(round_, size)):
        conn.execute(_RAW_INSERT, ([c for c, _ in lines], [s for _, s in lines]))
        conn.commit()
    raw = time.perf_counter() - started
    started = time.perf_counter()
    with conn.cursor() as cursor:
        for lines in (b for round_ in plan for b in batches(round_, size)):
            changes = AffinityChanges()
            for customer, sku in lines:
                changes.add_line(customer, sku, None)
            changes.write(cursor)
            conn.commit()
    return raw, time.perf_counter() - started


def read(database: Database, customers: list[uuid.UUID], sku: str) -> tuple[float, float]:
    """Median seconds of a primary-key SELECT and of one customer's top 5."""

    async def timed() -> tuple[float, float]:
        async with await AsyncConnection.connect(database.conninfo, autocommit=True) as conn:
            pk, ranked = [], []
            for customer in customers:
                started = time.perf_counter()
                await (await conn.execute(
                    "SELECT * FROM affinity_products WHERE sku = %s", (sku,)
                )).fetchone()  # fmt: skip
                pk.append(time.perf_counter() - started)
                started = time.perf_counter()
                await recommendations_for(conn, customer, 5)
                ranked.append(time.perf_counter() - started)
            return statistics.median(pk), statistics.median(ranked)

    return asyncio.run(timed())


def run(admin_conninfo: str, args: argparse.Namespace) -> None:
    plan = rounds(args.customers, args.products, args.catalogue, seed=7)
    lines = sum(len(r) for r in plan)
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        with database.connect() as conn:
            conn.execute(ProductAffinity.ddl)
            conn.execute(_RAW)
            conn.commit()
            raw, model = load(conn, plan, args.batch)
            conn.execute("ANALYZE")
            pairs = conn.execute("SELECT count(*) FROM affinity_pairs").fetchone()
            conn.commit()
        sample = random.Random(11).sample([c for c, _ in plan[0]], min(args.repeat, args.customers))
        pk, ranked = read(database, sample, plan[0][0][1])
    print(f"{args.customers:,} customers x {args.products} products = {lines:,} lines; "
          f"catalogue {args.catalogue:,}; {pairs[0] if pairs else 0:,} directed pairs")  # fmt: skip
    print(f"{'work':<44}  {'figure':>14}  ratio to baseline")
    print(f"{'raw INSERT of the lines (baseline)':<44}  {lines / raw:>10,.0f} l/s  {1:>17.2f}")
    print(f"{'product affinity write (set-based)':<44}  {lines / model:>10,.0f} l/s  "
          f"{raw / model:>17.2f}")  # fmt: skip
    print(f"{'primary-key SELECT (baseline)':<44}  {pk * 1000:>11.3f} ms  {1:>17.2f}")
    print(f"{'recommendations_for, top 5 (median)':<44}  {ranked * 1000:>11.3f} ms  "
          f"{ranked / pk:>17.2f}")  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="customers")
    parser.add_argument("--products", type=int, default=10, help="distinct products each")
    parser.add_argument("--catalogue", type=int, default=2_000, help="skus in the catalogue")
    parser.add_argument("--batch", type=int, default=10_000, help="lines per batch")
    parser.add_argument("--repeat", type=int, default=50, help="customers read (median)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args)


if __name__ == "__main__":
    main()
