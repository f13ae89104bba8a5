"""The API's metrics, in a registry of their own per app (never prometheus_client's global
one): tests and several apps in one process do not share counts."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from graphql_api.metrics.series import CountedAndTimed

MAX_OPERATION_NAMES = 200
"""Distinct operation names kept as label values; later ones count as ``_other``. Clients
choose the names, so without a bound one client could grow the series without end."""

OTHER = "_other"
ANONYMOUS = "_anonymous"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ApiMetrics:
    """Every series `/metrics` shows. Counters and histograms move as requests run; the gauges
    are set from the database at each scrape (``graphql_api.metrics.endpoint``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.operations = CountedAndTimed(
            (
                "cxl_graphql_operations",
                "GraphQL operations run, by operation name, type and outcome (ok, or the first "
                "error's code, or invalid for a document that did not validate).",
            ),
            (
                "cxl_graphql_operation_duration_seconds",
                "Time to run a GraphQL operation (parse to result), by operation name and type.",
            ),
            ["operation", "type", "outcome"],
            2,
            LATENCY_BUCKETS,
        )
        r.register(self.operations)
        self.http_requests = CountedAndTimed(
            ("cxl_http_requests", "HTTP requests answered, by route, method and status."),
            ("cxl_http_request_duration_seconds", "Time to answer an HTTP request, by route."),
            ["route", "method", "status"],
            1,
            LATENCY_BUCKETS,
        )
        r.register(self.http_requests)
        self.kept_reads = KeptReads()
        r.register(self.kept_reads)
        self.events_appended = Counter(
            "cxl_events_appended",
            "Events this process appended to the log (committed); rate() is the append rate.",
            registry=r,
        )
        self.log_head = Gauge(
            "cxl_log_head_position", "The log's last committed position.", registry=r
        )
        self.projection_position = Gauge(
            "cxl_projection_position",
            "The last log position each read model applied.",
            ["read_model"],
            registry=r,
        )
        self.projection_lag = Gauge(
            "cxl_projection_lag_events",
            "Log positions each read model is behind the head (head minus its position).",
            ["read_model"],
            registry=r,
        )
        self.outbox_pending = Gauge(
            "cxl_outbox_pending",
            "Notifications in the outbox not sent yet (and not cancelled).",
            registry=r,
        )
        self.read_pool = Gauge(
            "cxl_read_pool_connections",
            "The API's read pool: its size, its most, connections idle in it, requests waiting.",
            ["state"],
            registry=r,
        )
        self.scrape_errors = Counter(
            "cxl_metrics_scrape_errors",
            "Scrapes whose database figures could not be read (the gauges keep older values).",
            registry=r,
        )
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def count_http(self, route: str, method: str, status: str, seconds: float) -> None:
        """One HTTP request answered."""
        self.http_requests.observe((route, method, status), seconds)

    def count_operation(self, operation: str, kind: str, outcome: str, seconds: float) -> None:
        """One GraphQL operation run."""
        self.operations.observe((operation, kind, outcome), seconds)

    def operation_label(self, name: str | None) -> str:
        """``name`` as a label value: anonymous, a GraphQL name seen among the first
        MAX_OPERATION_NAMES, or ``_other``."""
        if not name:
            return ANONYMOUS
        if _NAME.fullmatch(name) is None:
            return OTHER
        with self._lock:
            if name in self._names:
                return name
            if len(self._names) < MAX_OPERATION_NAMES:
                self._names.add(name)
                return name
        return OTHER


class KeptReads(Collector):
    """``cxl_kept_reads_total``: reads of each read model's rows given from what the app kept
    (``outcome="kept"``) or read from the database (``read``) while it could keep them
    (``projections.row_cache``); taken from the app's cache at each scrape (``source``), so
    that a read costs no metric call. No series without a cache."""

    def __init__(self) -> None:
        self.source: Callable[[], Mapping[str, tuple[int, int]]] | None = None

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "cxl_kept_reads",
            "Reads of a read model's rows answered from what this process kept while the rows "
            "stood still (kept), or read from the database (read).",
            labels=["read_model", "outcome"],
        )
        source = self.source
        for name, (kept, read) in sorted((source() if source else {}).items()):
            family.add_metric([name, "kept"], kept)
            family.add_metric([name, "read"], read)
        yield family
