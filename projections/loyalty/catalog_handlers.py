"""Events -> the rewards catalog, the rule book and the program's terms.

Mixed into :class:`projections.loyalty.projection.LoyaltyStatements`. Every write is keyed or
guarded (a reward by its stream version, the terms by the log position last applied), so
applying an event again changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.reward import Reward
from projections.base import handles

_UPDATE_REWARD = """
    UPDATE loyalty_rewards SET {assignments}, version = %(version)s
    WHERE reward_id = %(reward)s AND version < %(version)s
"""

_TERMS = """
    INSERT INTO loyalty_program_terms (points_lifetime_days, return_window_days, changed_at, seq)
    VALUES (%(lifetime)s, %(window)s, %(at)s, %(seq)s)
    ON CONFLICT (singleton) DO UPDATE SET points_lifetime_days = excluded.points_lifetime_days,
        return_window_days = excluded.return_window_days, changed_at = excluded.changed_at,
        seq = excluded.seq
    WHERE loyalty_program_terms.seq < excluded.seq
"""

_RULE = """
    INSERT INTO loyalty_earning_rules (rule_id, seq, name, kind, definition, defined_at)
    VALUES (%(rule)s, %(seq)s, %(name)s, %(kind)s, %(definition)s, %(at)s)
    ON CONFLICT (rule_id) DO UPDATE SET seq = excluded.seq, name = excluded.name,
        kind = excluded.kind, definition = excluded.definition, defined_at = excluded.defined_at,
        retired_at = NULL
    WHERE loyalty_earning_rules.seq < excluded.seq
"""


class CatalogHandlers:
    """The handlers of program and reward events: rare, applied at once."""

    @handles(Reward.Added)
    def reward_added(self, cursor: Cursor[Any], event: Reward.Added, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO loyalty_rewards (reward_id, seq, name, description, kind, cost_points,
                stock, min_tier, added_at, version)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (reward_id) DO NOTHING
            """,
            (event.originator_id, position, event.name, event.description, event.kind,
             event.cost_points, event.stock, event.min_tier, event.at, event.originator_version),
        )  # fmt: skip

    def _update_reward(self, cursor: Cursor[Any], event: Reward.Event, assignments: str,
                       **values: Any) -> None:  # fmt: skip
        # ``assignments`` is this module's SQL, never input.
        params = {**values, "version": event.originator_version, "reward": event.originator_id}
        cursor.execute(_UPDATE_REWARD.format(assignments=assignments), params)

    @handles(Reward.Changed)
    def reward_changed(self, cursor: Cursor[Any], event: Reward.Changed, _: int) -> None:
        self._update_reward(
            cursor, event,
            "name = %(name)s, description = %(description)s, cost_points = %(cost)s,"
            " min_tier = %(tier)s",
            name=event.name, description=event.description, cost=event.cost_points,
            tier=event.min_tier,
        )  # fmt: skip

    @handles(Reward.Restocked)
    def reward_restocked(self, cursor: Cursor[Any], event: Reward.Restocked, _: int) -> None:
        self._update_reward(
            cursor, event, "stock = coalesce(stock, 0) + %(quantity)s", quantity=event.quantity
        )

    @handles(Reward.Retired)
    def reward_retired(self, cursor: Cursor[Any], event: Reward.Retired, _: int) -> None:
        self._update_reward(cursor, event, "retired = true")

    @handles(Reward.Claimed)
    def reward_claimed(self, cursor: Cursor[Any], event: Reward.Claimed, _: int) -> None:
        self._update_reward(cursor, event, "stock = stock - 1")

    @handles(Reward.Returned)
    def reward_returned(self, cursor: Cursor[Any], event: Reward.Returned, _: int) -> None:
        self._update_reward(cursor, event, "stock = stock + 1")

    @handles(LoyaltyProgram.Started)
    def program_started(
        self, cursor: Cursor[Any], event: LoyaltyProgram.Started, position: int
    ) -> None:
        self._terms(cursor, event, position)

    @handles(LoyaltyProgram.TermsChanged)
    def terms_changed(
        self, cursor: Cursor[Any], event: LoyaltyProgram.TermsChanged, position: int
    ) -> None:
        self._terms(cursor, event, position)

    def _terms(
        self,
        cursor: Cursor[Any],
        event: LoyaltyProgram.Started | LoyaltyProgram.TermsChanged,
        position: int,
    ) -> None:
        params = {
            "lifetime": event.points_lifetime_days,
            "window": event.return_window_days,
            "at": event.at,
            "seq": position,
        }
        cursor.execute(_TERMS, params)

    @handles(LoyaltyProgram.EarningRuleDefined)
    def rule_defined(
        self, cursor: Cursor[Any], event: LoyaltyProgram.EarningRuleDefined, position: int
    ) -> None:
        definition = json.loads(json.dumps(event.rule, default=str))  # UUIDs, enums as text
        params = {
            "rule": definition["rule_id"],
            "seq": position,
            "name": definition["name"],
            "kind": definition["kind"],
            "definition": Jsonb(definition),
            "at": event.at,
        }
        cursor.execute(_RULE, params)

    @handles(LoyaltyProgram.EarningRuleRetired)
    def rule_retired(
        self, cursor: Cursor[Any], event: LoyaltyProgram.EarningRuleRetired, position: int
    ) -> None:
        cursor.execute(
            "UPDATE loyalty_earning_rules SET retired_at = %s, seq = %s"
            " WHERE rule_id = %s AND seq < %s",
            (event.at, position, event.rule_id, position),
        )
