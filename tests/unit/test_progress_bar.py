"""The progress bar of `rebuild` and `demo`: what it counts is named on every line."""

from __future__ import annotations

import io

from infrastructure.progress import ProgressBar


def test_the_bar_counts_events_unless_told_another_unit() -> None:
    events, customers = io.StringIO(), io.StringIO()
    ProgressBar("rebuild", events)(5, 10)
    ProgressBar("demo", customers, unit="customers")(10, 10)
    assert "5/10 events" in events.getvalue()
    assert "10/10 customers" in customers.getvalue()
    assert "demo: 10 customers in" in customers.getvalue()
