"""Operation names are client-chosen: as metric labels they stay a bounded set."""

from __future__ import annotations

from graphql_api.metrics.http import route_of
from graphql_api.metrics.registry import ANONYMOUS, MAX_OPERATION_NAMES, OTHER, ApiMetrics


def test_an_operation_without_a_name_is_anonymous() -> None:
    assert ApiMetrics().operation_label(None) == ANONYMOUS
    assert ApiMetrics().operation_label("") == ANONYMOUS


def test_a_name_that_is_no_graphql_name_is_other() -> None:
    metrics = ApiMetrics()
    assert metrics.operation_label('x"} 1\nfake_metric{a="') == OTHER
    assert metrics.operation_label("a" * 101) == OTHER


def test_names_beyond_the_first_few_hundred_share_one_label() -> None:
    metrics = ApiMetrics()
    names = [f"Op{i}" for i in range(MAX_OPERATION_NAMES + 5)]
    labels = [metrics.operation_label(name) for name in names]
    assert labels[:MAX_OPERATION_NAMES] == names[:MAX_OPERATION_NAMES]
    assert set(labels[MAX_OPERATION_NAMES:]) == {OTHER}
    assert metrics.operation_label("Op0") == "Op0"  # one already kept stays itself


def test_http_routes_are_a_fixed_set_not_the_raw_path() -> None:
    assert route_of("/graphql") == "/graphql"
    assert route_of("/graphiql/graphiql.min.js") == "/graphiql"
    assert route_of("/wp-admin/x") == "other"


def test_each_app_counts_alone() -> None:
    first, second = ApiMetrics(), ApiMetrics()
    first.events_appended.inc(3)
    assert second.events_appended._value.get() == 0
