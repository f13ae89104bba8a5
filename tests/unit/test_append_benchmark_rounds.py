"""benchmarks.append splits each measurement into rounds that take turns with the other sides,
and reports each side's rounds as one figure: all their operations over all their time."""

from __future__ import annotations

import pytest

from benchmarks.append import Budget, Measured, combined


def test_rounds_combine_into_all_operations_over_all_their_time() -> None:
    fast = Measured(rate=1000.0, client_us=100.0, server_us=50.0, switches=1.0, ops=100)
    slow = Measured(rate=500.0, client_us=300.0, server_us=70.0, switches=3.0, ops=300)
    figure = combined([fast, slow])
    assert figure.ops == 400
    assert figure.rate == pytest.approx(400 / (0.1 + 0.6))
    assert figure.client_us == pytest.approx((100 * 100 + 300 * 300) / 400)
    assert figure.server_us == pytest.approx((50 * 100 + 70 * 300) / 400)
    assert figure.switches == pytest.approx((1 * 100 + 3 * 300) / 400)


def test_no_server_figure_when_a_round_has_none() -> None:
    known = Measured(rate=1000.0, client_us=100.0, server_us=50.0, switches=1.0, ops=100)
    unknown = Measured(rate=1000.0, client_us=100.0, server_us=None, switches=1.0, ops=100)
    assert combined([known, unknown]).server_us is None


def test_a_budget_splits_into_rounds() -> None:
    assert Budget(3.0, None).per_round(3) == Budget(1.0, None)
    assert Budget(None, 20).per_round(3) == Budget(None, 6)
    assert Budget(None, 2).per_round(3) == Budget(None, 1)  # never no operation at all
