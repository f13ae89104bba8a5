"""Enhancement priorities at scale: ``enhancementPriorities``' query
(``projections/theme_priorities/queries.py``: the mentions of a version aggregated per theme,
ranked, the first page's Welch intervals computed) against a plain indexed SELECT (one answer
by its primary key) in the same run, on the same connection, alternating, and their p50 and
p99.

The read model's tables are filled set-based (``INSERT ... SELECT`` from ``generate_series``),
since the query reads only them: ``--answers`` NPS answers by half as many people over three
product versions, six in ten with a comment of up to four themes out of ``--themes``, drawn
with a skew towards the first (the theme at rank r of n about as often as ``n * u**3`` falls on
it), and ``--answers`` / 10 pieces of feedback with themes drawn the same way.

    .venv/bin/python -m benchmarks.enhancement_priorities [--answers 100000] [--themes 2000]
        [--queries 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

import psycopg

from benchmarks.support.setup import add_database_url, scratch
from projections.theme_priorities.projection import ThemePriorities
from projections.theme_priorities.queries import theme_priorities_page

VERSIONS = ["4.1", "5.0", "5.1"]
MIN_GROUP_SIZE = 5
FILL = """
    INSERT INTO theme_priority_answers (response_id, subject_id, product_version, score)
    SELECT ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
        ('20000000-0000-4000-8000-' || lpad(to_hex(g %% greatest(%(n)s / 2, 1)), 12, '0'))::uuid,
        (%(versions)s::text[])[1 + g %% 3], floor(random() * 11)::int
    FROM generate_series(1, %(n)s) g;

    INSERT INTO theme_priority_totals (product_version, answers, score_sum, score_squares)
    SELECT product_version, count(*), sum(score), sum(score * score)
    FROM theme_priority_answers GROUP BY product_version;

    INSERT INTO theme_priority_mentions (source_id, theme, subject_id, product_version, score)
    SELECT a.response_id, 'theme-' || floor(%(themes)s * power(random(), 3))::int,
        a.subject_id, a.product_version, a.score
    FROM theme_priority_answers a, generate_series(1, 4) k
    WHERE (hashtext(a.response_id::text) & 1023) < 614
    ON CONFLICT DO NOTHING;

    INSERT INTO theme_priority_mentions (source_id, theme, subject_id, product_version, score)
    SELECT ('30000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
        'theme-' || floor(%(themes)s * power(random(), 3))::int,
        ('20000000-0000-4000-8000-' || lpad(to_hex(g %% greatest(%(n)s / 2, 1)), 12, '0'))::uuid,
        (%(versions)s::text[])[1 + g %% 3], NULL
    FROM generate_series(1, greatest(%(n)s / 10, 1)) g, generate_series(1, 2) k
    ON CONFLICT DO NOTHING;
"""


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(conninfo: str, queries: int, answers: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"every version": [], "one version": [], "indexed": []}
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        listed = 0
        for index in range(queries + 5):
            spent: dict[str, float] = {}
            started = time.perf_counter()
            page = await theme_priorities_page(conn, None, 20, 0, min_group_size=MIN_GROUP_SIZE)
            spent["every version"] = time.perf_counter() - started
            listed = len(page.items)
            started = time.perf_counter()
            version = VERSIONS[index % 3]
            await theme_priorities_page(conn, version, 20, 0, min_group_size=MIN_GROUP_SIZE)
            spent["one version"] = time.perf_counter() - started
            started = time.perf_counter()
            await conn.execute(
                "SELECT subject_id, product_version, score FROM theme_priority_answers"
                " WHERE response_id = %s",
                (f"10000000-0000-4000-8000-{random.randint(1, answers):012x}",),
            )
            spent["indexed"] = time.perf_counter() - started
            if index >= 5:  # the first 5 warm the caches
                for name, seconds in spent.items():
                    times[name].append(seconds)
    print(f"{listed} themes on the first page (20 asked)")
    return times


def run(database_url: str | None, answers: int, themes: int, queries: int) -> None:
    with scratch(database_url) as database:
        with database.connect() as conn:
            conn.execute(ThemePriorities.ddl)
            params = {"n": answers, "themes": themes, "versions": VERSIONS}
            with conn.cursor() as cursor:
                for statement in FILL.split(";"):
                    if statement.strip():
                        cursor.execute(statement, params)
            for table in ThemePriorities.tables:
                conn.execute(f"ANALYZE {table}")
            conn.commit()
            mentions = conn.execute("SELECT count(*) FROM theme_priority_mentions").fetchone()
        print(f"{answers} NPS answers, {mentions[0] if mentions else 0} theme mentions")
        times = asyncio.run(measure(database.conninfo, queries, answers))
    base50, base99 = percentile(times["indexed"], 0.5), percentile(times["indexed"], 0.99)
    print(f"{'query':<24} {'p50 ms':>8} {'p99 ms':>8} {'p50 ratio to indexed SELECT':>28}")
    for name in ("every version", "one version", "indexed"):
        p50, p99 = percentile(times[name], 0.5), percentile(times[name], 0.99)
        print(f"{name:<24} {p50 * 1000:8.3f} {p99 * 1000:8.3f} {p50 / base50:28.1f}")
    every99 = percentile(times["every version"], 0.99)
    print(f"p99 ratio of every version to indexed SELECT: {every99 / base99:.1f}")
    print(f"mean every version {statistics.mean(times['every version']) * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--themes", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=200)
    add_database_url(parser)
    args = parser.parse_args()
    run(args.database_url, args.answers, args.themes, args.queries)


if __name__ == "__main__":
    main()
