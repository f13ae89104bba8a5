"""The rewards catalog (paged by cursor: the ``seq`` of the reward's addition), the earning
rule book and the program's terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from domain.loyalty.values import ProgramTerms
from projections.loyalty.views import EarningRuleView, ProgramTermsView, RewardPage, RewardView

_REWARD_COLUMNS = """reward_id, seq, name, description, kind, cost_points, stock, min_tier,
    retired, added_at, redemptions"""


async def rewards_page(
    conn: AsyncConnection[Any], first: int, after_seq: int | None, include_retired: bool
) -> RewardPage:
    """Rewards in the order they were added, after the one at ``after_seq`` (None: from the
    start); retired ones only if asked for."""
    retired_term = "" if include_retired else "AND NOT retired"
    async with conn.cursor(row_factory=class_row(RewardView)) as cursor:
        await cursor.execute(
            f"SELECT {_REWARD_COLUMNS} FROM loyalty_rewards WHERE seq > %(after)s {retired_term}"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq or 0, "limit": first + 1},
        )
        rows = await cursor.fetchall()
    return RewardPage(rows[:first], len(rows) > first)


async def rewards_page_before(
    conn: AsyncConnection[Any], last: int, before_seq: int | None, include_retired: bool
) -> RewardPage:
    """The ``last`` rewards added just before the one at ``before_seq`` (None: the latest),
    in the order they were added; the page's ``has_next_page`` says whether more precede
    them (it was read backward)."""
    retired_term = "" if include_retired else "AND NOT retired"
    bound = "seq < %(before)s" if before_seq is not None else "TRUE"
    async with conn.cursor(row_factory=class_row(RewardView)) as cursor:
        await cursor.execute(
            f"SELECT {_REWARD_COLUMNS} FROM loyalty_rewards WHERE {bound} {retired_term}"
            " ORDER BY seq DESC LIMIT %(limit)s",
            {"before": before_seq, "limit": last + 1},
        )
        rows = await cursor.fetchall()
    return RewardPage(rows[:last][::-1], len(rows) > last)


async def reward_by_id(conn: AsyncConnection[Any], reward_id: UUID) -> RewardView | None:
    async with conn.cursor(row_factory=class_row(RewardView)) as cursor:
        await cursor.execute(
            f"SELECT {_REWARD_COLUMNS} FROM loyalty_rewards WHERE reward_id = %s", (reward_id,)
        )
        return await cursor.fetchone()


async def rewards_by_ids(
    conn: AsyncConnection[Any], reward_ids: Sequence[UUID]
) -> dict[UUID, RewardView]:
    """Those of ``reward_ids`` in the catalog (retired ones too), in one query."""
    async with conn.cursor(row_factory=class_row(RewardView)) as cursor:
        await cursor.execute(
            f"SELECT {_REWARD_COLUMNS} FROM loyalty_rewards WHERE reward_id = ANY(%s)",
            (list(reward_ids),),
        )
        return {view.reward_id: view for view in await cursor.fetchall()}


async def earning_rules(conn: AsyncConnection[Any], include_retired: bool) -> list[EarningRuleView]:
    """The rule book in the order rules were (last) defined; retired rules only if asked."""
    retired_term = "" if include_retired else "WHERE retired_at IS NULL"
    async with conn.cursor(row_factory=class_row(EarningRuleView)) as cursor:
        await cursor.execute(
            "SELECT rule_id, name, kind, definition, defined_at, retired_at"
            f" FROM loyalty_earning_rules {retired_term} ORDER BY defined_at, rule_id"
        )
        return await cursor.fetchall()


async def program_terms(conn: AsyncConnection[Any]) -> ProgramTermsView:
    """The terms in force; before the program starts, the defaults with ``changed_at`` None."""
    async with conn.cursor(row_factory=class_row(ProgramTermsView)) as cursor:
        await cursor.execute(
            "SELECT points_lifetime_days, return_window_days, changed_at FROM loyalty_program_terms"
        )
        row = await cursor.fetchone()
    if row is None:
        defaults = ProgramTerms()
        return ProgramTermsView(defaults.points_lifetime_days, defaults.return_window_days, None)
    return row
