"""How many points a purchase earns under the rule book: a pure function, explained.

Base points are the purchase amount in whole currency units times the base rate for its
currency (or the rate for any currency). Each order line's share of the amount is multiplied by
the multipliers for its category; the whole by those for the channel and the account's tier.
The first purchase adds its bonus. Caps then limit what the period may still earn, and no order
earns more than ``MAX_ORDER_POINTS``. Points are rounded down once, at the end, so splitting an
order never earns more than the whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from math import floor, prod

from domain.loyalty.values import (
    MAX_ORDER_POINTS,
    CapPeriod,
    EarningRule,
    RuleDimension,
    RuleKind,
    Tier,
)
from domain.purchase.values import CURRENCY_MINOR_UNITS


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the rules look at in a purchase; lines are (category, amount in minor units)."""

    order_id: str
    amount_minor: int
    currency: str
    channel: str
    lines: Sequence[tuple[str | None, int]] = ()


@dataclass(frozen=True, slots=True)
class Earning:
    points: int
    rule_ids: list[str] = field(default_factory=list)
    """The rules that shaped the figure (base rate, multipliers, bonus, caps that bit)."""
    capped: bool = False


def compute_earning(
    order: OrderFacts,
    rules: Sequence[EarningRule],
    tier: Tier,
    first_purchase: bool,
    earned_by_period: Mapping[str, int],
    at: datetime,
) -> Earning:
    base = _base_rate(rules, order.currency)
    if base is None:
        return Earning(0)
    applied = [base.rule_id.hex]
    units = Fraction(order.amount_minor, 10 ** CURRENCY_MINOR_UNITS[order.currency])
    whole = [r for r in _multipliers(rules) if _matches_order(r, order, tier)]
    by_lines, line_rules = _category_factor(rules, order)
    points = Fraction(units * base.points_per_unit) * by_lines
    points *= prod((Fraction(r.percent, 100) for r in whole), start=Fraction(1))
    applied += [r.rule_id.hex for r in whole] + line_rules
    earned = floor(points)
    bonus = [r for r in rules if r.kind is RuleKind.FIRST_PURCHASE_BONUS] if first_purchase else []
    earned += sum(r.bonus_points for r in bonus)
    applied += [r.rule_id.hex for r in bonus]
    earning = _capped(earned, applied, rules, earned_by_period, at)
    if earning.points > MAX_ORDER_POINTS:
        return Earning(MAX_ORDER_POINTS, earning.rule_ids, capped=True)
    return earning


def period_keys(at: datetime) -> list[str]:
    return [period.key(at) for period in CapPeriod]


def _base_rate(rules: Sequence[EarningRule], currency: str) -> EarningRule | None:
    rates = [r for r in rules if r.kind is RuleKind.BASE_RATE]
    own = [r for r in rates if r.currency == currency]
    general = [r for r in rates if r.currency is None]
    # The latest defined rate wins: the rule book keeps rules in definition order.
    chosen = own or general
    return chosen[-1] if chosen else None


def _multipliers(rules: Sequence[EarningRule]) -> list[EarningRule]:
    return [r for r in rules if r.kind is RuleKind.MULTIPLIER]


def _matches_order(rule: EarningRule, order: OrderFacts, tier: Tier) -> bool:
    if rule.dimension is RuleDimension.TIER:
        return rule.match == tier.value
    if rule.dimension is RuleDimension.CHANNEL:
        return rule.match == order.channel
    return False


def _category_factor(rules: Sequence[EarningRule], order: OrderFacts) -> tuple[Fraction, list[str]]:
    """The lines' multipliers weighted by each line's share of the order (1 without lines)."""
    by_category = [r for r in _multipliers(rules) if r.dimension is RuleDimension.CATEGORY]
    line_total = sum(amount for _, amount in order.lines)
    if not by_category or line_total <= 0:
        return Fraction(1), []
    factor, used = Fraction(0), set[str]()
    for category, amount in order.lines:
        matching = [r for r in by_category if r.match == category]
        used.update(r.rule_id.hex for r in matching)
        weight = Fraction(amount, line_total)
        factor += weight * prod((Fraction(r.percent, 100) for r in matching), start=Fraction(1))
    return factor, sorted(used)


def _capped(
    points: int,
    applied: list[str],
    rules: Sequence[EarningRule],
    earned_by_period: Mapping[str, int],
    at: datetime,
) -> Earning:
    capped = False
    for cap in (r for r in rules if r.kind is RuleKind.CAP):
        period = cap.period or CapPeriod.MONTH  # a checked cap always names its period
        room = max(0, cap.max_points - earned_by_period.get(period.key(at), 0))
        if points > room:
            points, capped = room, True
            applied.append(cap.rule_id.hex)
    return Earning(points, applied, capped)
