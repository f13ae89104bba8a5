"""How many distinct people each group of a rollup-based figure describes, as far as the
minimum group size needs to know.

Distinct people do not add up across days or segments, so the rollups cannot hold them. The
rule (:mod:`projections.surveys.small_groups`) only asks whether a group holds fewer than
``min_group_size`` people, so:

- a group of fewer rows than that (responses or invitations) has fewer people: its row count
  decides, and nothing is read;
- a group whose slice rollups prove enough people (``proven``: a lower bound from the
  distinct people each slice row counted, see :meth:`projections.surveys.rollups.RollupRead.floors`)
  is large enough, and nothing is read;
- otherwise the group's first ``SAMPLE_PER_PERSON * min_group_size`` rows (through the index
  of the filter) are read and their distinct people counted; reaching ``min_group_size`` there
  proves the group large enough;
- only a group whose sample falls short (a few people answering many times) is counted whole.

The answer is exact for the rule: the count returned is the true number of distinct people
when it is below ``min_group_size``, and at least ``min_group_size`` otherwise. With a minimum
of 1 nothing is read at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from psycopg import AsyncConnection

from projections.surveys.filters import condition
from projections.surveys.small_groups import EVERY_GROUP
from projections.surveys.views import DashboardFilter

SAMPLE_PER_PERSON = 8

_TABLES = {"responses": ("r", "responded_at"), "invitations": ("i", "issued_at")}

_COUNT = """
    SELECT CASE
        WHEN (SELECT count(DISTINCT x.customer_id) FROM (
            SELECT {a}.customer_id FROM survey_{table} {a} WHERE {where} LIMIT %(sample)s
        ) x) >= %(enough)s THEN %(enough)s
        ELSE (SELECT count(DISTINCT {a}.customer_id) FROM survey_{table} {a} WHERE {where})
    END
"""


async def count(
    conn: AsyncConnection[Any],
    table: Literal["responses", "invitations"],
    f: DashboardFilter,
    member: str,
    null_member: str,
    params: dict[str, Any],
    rows: dict[Any, int],
    min_group_size: int,
    proven: Mapping[Any, int],
) -> dict[Any, int]:
    """Distinct people per group key of ``rows`` (its row counts), capped at
    ``min_group_size``. ``member`` selects one group's rows (``{a}`` the alias, ``{t}`` the time
    column, parameter ``key``), ``null_member`` the group of key None; ``proven``: at least
    that many people per key, known without reading rows."""
    people = dict(rows)
    if min_group_size <= EVERY_GROUP:
        return people
    alias, moment = _TABLES[table]
    where, filter_params = condition(f, table)
    large = [
        key
        for key, n in rows.items()
        if n >= min_group_size and proven.get(key, 0) < min_group_size
    ]
    if not large:
        return people
    base = {**filter_params, **params, "sample": SAMPLE_PER_PERSON * min_group_size}
    base["enough"] = min_group_size
    cursors = []
    async with conn.pipeline():
        for key in large:
            term = (null_member if key is None else member).format(a=alias, t=moment)
            statement = _COUNT.format(a=alias, table=table, where=f"{where} AND {term}")
            cursors.append(await conn.execute(statement, {**base, "key": key}))
    for key, cursor in zip(large, cursors, strict=True):
        row = await cursor.fetchone()
        people[key] = int(row[0]) if row is not None else 0
    return people
