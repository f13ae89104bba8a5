"""CountedAndTimed shows at a scrape what prometheus_client's Counter and Histogram showed
for the same observations: the same text, line for line, but the creation times."""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from graphql_api.metrics.registry import LATENCY_BUCKETS, ApiMetrics
from graphql_api.metrics.series import CountedAndTimed

OBSERVED = [
    (("/graphql", "POST", "200"), 0.004),
    (("/graphql", "POST", "200"), 0.005),  # on a bound: counted in that bucket
    (("/graphql", "GET", "405"), 0.0),
    (("/health", "GET", "200"), 31.0),  # past the last bound: +Inf only
    (("/graphql", "POST", "200"), 0.3),
]


def _text(registry: CollectorRegistry) -> list[str]:
    created = re.compile(r"^(\S+_created\S*) \S+$")
    return [created.sub(r"\1 T", line) for line in generate_latest(registry).decode().splitlines()]


def _pair() -> tuple[CollectorRegistry, Counter, Histogram, CollectorRegistry, CountedAndTimed]:
    theirs, ours = CollectorRegistry(), CollectorRegistry(auto_describe=True)
    counter = Counter("cxl_x", "Counted.", ["route", "method", "status"], registry=theirs)
    histogram = Histogram(
        "cxl_x_seconds", "Timed.", ["route"], buckets=LATENCY_BUCKETS, registry=theirs
    )
    series = CountedAndTimed(
        ("cxl_x", "Counted."),
        ("cxl_x_seconds", "Timed."),
        ["route", "method", "status"],
        1,
        LATENCY_BUCKETS,
    )
    ours.register(series)
    return theirs, counter, histogram, ours, series


def test_the_scrape_is_prometheus_clients_own() -> None:
    theirs, counter, histogram, ours, series = _pair()
    for labels, seconds in OBSERVED:
        counter.labels(*labels).inc()
        histogram.labels(labels[0]).observe(seconds)
        series.observe(labels, seconds)
    assert _text(ours) == _text(theirs)
    graphql = {"route": "/graphql", "method": "POST", "status": "200"}
    assert ours.get_sample_value("cxl_x_total", graphql) == 3


def test_nothing_observed_shows_what_prometheus_client_showed() -> None:
    theirs, _, _, ours, _ = _pair()
    assert _text(ours) == _text(theirs)
    assert ApiMetrics().registry.get_sample_value("cxl_http_requests_total", {}) is None
