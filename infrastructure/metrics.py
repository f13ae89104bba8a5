"""The API's metrics, wired to the parts below the API that feed them."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from psycopg_pool import ConnectionPool

from domain.ledger import Ledger
from graphql_api.metrics.registry import ApiMetrics
from infrastructure.log_writer import GroupCommittedLog


def api_metrics(ledger: Ledger) -> ApiMetrics:
    """A fresh registry whose append counter moves with every command ``ledger``'s log
    writer commits in this process, and which shows the event store's connection pool."""
    metrics = ApiMetrics()
    recorder = ledger.recorder
    if isinstance(recorder, GroupCommittedLog):
        recorder.appended = metrics.events_appended.inc
        pool = getattr(recorder.datastore, "pool", None)
        if isinstance(pool, ConnectionPool):
            metrics.registry.register(EventStorePool(pool))
    return metrics


class EventStorePool(Collector):
    """The event store's pool (the writes' and aggregate loads'), read at each scrape."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stats = self._pool.get_stats()
        family = GaugeMetricFamily(
            "cxl_event_store_pool_connections",
            "The event store's pool: its size, its most, connections idle in it, requests waiting.",
            labels=["state"],
        )
        family.add_metric(["size"], stats.get("pool_size", 0))
        family.add_metric(["max"], stats.get("pool_max", self._pool.max_size))
        family.add_metric(["idle"], stats.get("pool_available", 0))
        family.add_metric(["waiting"], stats.get("requests_waiting", 0))
        yield family
