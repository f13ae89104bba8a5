"""NPS arithmetic: the score, its margin of error, and the test of a difference between two.

Each NPS answer counts as +1 (promoter), 0 (passive) or -1 (detractor); NPS is 100 times the
mean. With p and q the promoter and detractor shares, the variance of one answer is
p + q - (p - q)^2, and the 95% margin of error of the NPS is 1.96 * sqrt(variance / n) * 100.
Pure functions, no database: the queries and the property tests share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.96
SIGNIFICANCE = 0.05


@dataclass(frozen=True, slots=True)
class NpsCounts:
    promoters: int
    passives: int
    detractors: int

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps(counts: NpsCounts) -> float | None:
    """Promoters minus detractors, as a percentage of all NPS answers; None without answers."""
    if counts.n == 0:
        return None
    return (counts.promoters - counts.detractors) * 100.0 / counts.n


def variance(counts: NpsCounts) -> float:
    """Variance of one +1/0/-1 answer (0 without answers)."""
    if counts.n == 0:
        return 0.0
    p, q = counts.promoters / counts.n, counts.detractors / counts.n
    return max(0.0, p + q - (p - q) ** 2)  # max: rounding must not make it negative


def margin_of_error(counts: NpsCounts) -> float | None:
    """95% margin of error in NPS points; None without answers.

    A single answer (or any unanimous sample) has variance 0 and so a margin of 0: the normal
    approximation has nothing to say about so few answers, and callers show n beside it."""
    if counts.n == 0:
        return None
    return Z_95 * math.sqrt(variance(counts) / counts.n) * 100.0


@dataclass(frozen=True, slots=True)
class Difference:
    """NPS of a minus NPS of b, the 95% margin of error of that difference, its two-sided
    p-value and whether it is significant at 5%; all None/False when a side has no answers."""

    difference: float | None
    margin_of_error: float | None
    p_value: float | None
    significant: bool


def compare(a: NpsCounts, b: NpsCounts) -> Difference:
    """Two-sample z-test of NPS a against NPS b.

    The standard error is the unpooled sqrt(var_a/n_a + var_b/n_b) * 100. When that is 0
    (both samples unanimous, e.g. all promoters against all detractors) the test falls back
    to the pooled variance of both samples together, which is what the null hypothesis of
    equal NPS assumes; if that is 0 too, the samples are identical: p = 1."""
    nps_a, nps_b = nps(a), nps(b)
    if nps_a is None or nps_b is None:
        return Difference(None, None, None, False)
    diff = nps_a - nps_b
    se = math.sqrt(variance(a) / a.n + variance(b) / b.n) * 100.0
    test_se = se or _pooled_se(a, b)
    p_value = 1.0 if test_se == 0 else math.erfc(abs(diff / test_se) / math.sqrt(2))
    return Difference(diff, Z_95 * se, p_value, p_value < SIGNIFICANCE)


def _pooled_se(a: NpsCounts, b: NpsCounts) -> float:
    both = NpsCounts(
        a.promoters + b.promoters, a.passives + b.passives, a.detractors + b.detractors
    )
    return math.sqrt(variance(both) * (1 / a.n + 1 / b.n)) * 100.0
