"""Array parameters sent as text (``%s``) against binary (``%b``) (issue 14).

One ``SELECT count(*) FROM unnest(uuid[], text[], bigint[], timestamptz[])`` of ``--rows`` rows,
the shape of the projections' set-based statements, run ``--repeat`` times each way on one
connection, alternating; it prints the best wall time and the best client CPU time of each, and
binary's ratio to text (below 1: binary is cheaper). As text psycopg formats and escapes every
element in Python; binary sends each in its wire form.

    .venv/bin/python -m benchmarks.array_parameters [--rows 5000] [--repeat 30]
                                                    [--database-url URL]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString
from uuid import uuid4

import psycopg

from benchmarks.support.setup import add_database_url
from infrastructure.database import scratch_server

STATEMENTS: dict[str, LiteralString] = {
    "text (%s)": "SELECT count(*) FROM unnest(%s::uuid[], %s::text[], %s::bigint[],"
    " %s::timestamptz[])",
    "binary (%b)": "SELECT count(*) FROM unnest(%b::uuid[], %b::text[], %b::bigint[],"
    " %b::timestamptz[])",
}


def columns(rows: int) -> tuple[list[Any], ...]:
    start = datetime(2026, 12, 5, tzinfo=UTC)
    return (
        [uuid4() for _ in range(rows)],
        [f'Zoë Customer {i} "quoted"' for i in range(rows)],
        [i * 1_000_003 for i in range(rows)],
        [start + timedelta(seconds=i) for i in range(rows)],
    )


def best_times(conninfo: str, rows: int, repeat: int) -> dict[str, tuple[float, float]]:
    """Each way's best (wall, client CPU) seconds."""
    params = columns(rows)
    best = dict.fromkeys(STATEMENTS, (float("inf"), float("inf")))
    with psycopg.connect(conninfo) as conn:
        for _ in range(repeat):
            for name, statement in STATEMENTS.items():  # alternating, so load hits both
                wall, cpu = time.perf_counter(), time.process_time()
                conn.execute(statement, params).fetchone()
                took = (time.perf_counter() - wall, time.process_time() - cpu)
                best[name] = (min(best[name][0], took[0]), min(best[name][1], took[1]))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000, help="rows (elements per array)")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each way")
    add_database_url(parser)
    args = parser.parse_args()
    with scratch_server(args.database_url, "cxl-bench") as conninfo:
        best = best_times(conninfo, args.rows, args.repeat)
    text_cpu = best["text (%s)"][1]
    print(f"{args.rows:,} rows of 4 columns, best of {args.repeat}")
    print(f"{'parameters':<14}{'wall ms':>10}{'client CPU ms':>15}{'CPU ratio to text':>19}")
    for name, (wall, cpu) in best.items():
        print(f"{name:<14}{wall * 1000:>10.2f}{cpu * 1000:>15.2f}{cpu / text_cpu:>19.3f}")


if __name__ == "__main__":
    main()
