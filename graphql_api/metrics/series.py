"""A request counter and its duration histogram, moved together by one call under one lock.

Every HTTP request and every GraphQL operation moves a counter and a histogram. Through
prometheus_client that is three values each behind its own lock (the count, the histogram's
sum and one bucket), reached through ``inc`` and ``observe`` with their checks, and a scan of
the buckets in Python: about 1.7 us a pair on the development machine, twice a request.
:class:`CountedAndTimed` keeps the same figures in plain lists, moves them under one lock
(updates may come from worker threads too), and shows them at each scrape as the two
families prometheus_client's ``Counter`` and ``Histogram`` showed: the same names, labels,
samples (``_total``, ``_created``; ``_bucket``, ``_count``, ``_sum``, ``_created``) and order.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client import metrics as prometheus_metrics
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import INF, floatToGoString


class CountedAndTimed(Collector):
    """A counter labelled by ``labels`` and a histogram of durations labelled by the first
    ``timed_by`` of them, as one collector."""

    def __init__(
        self,
        counter: tuple[str, str],
        histogram: tuple[str, str],
        labels: Sequence[str],
        timed_by: int,
        buckets: Sequence[float],
    ) -> None:
        self._counter_name, self._counter_doc = counter
        self._histogram_name, self._histogram_doc = histogram
        self._labels = tuple(labels)
        self._timed_by = timed_by
        self._bounds = (*(float(bound) for bound in buckets), INF)
        # The buckets' ``le`` labels, as prometheus_client writes them.
        self._le = [floatToGoString(bound) for bound in self._bounds]  # type: ignore[no-untyped-call]
        self._lock = threading.Lock()
        # By label values: the count and its creation time; the histogram's buckets (not
        # cumulative, as prometheus_client keeps them), then its sum, and its creation time.
        self._counts: dict[tuple[str, ...], list[float]] = {}
        self._timed: dict[tuple[str, ...], list[float]] = {}
        self._timed_since: dict[tuple[str, ...], float] = {}
        self._pairs: dict[tuple[str, ...], tuple[list[float], list[float]]] = {}

    def observe(self, labels: tuple[str, ...], seconds: float) -> None:
        """One more counted, taking ``seconds``."""
        pair = self._pairs.get(labels)
        if pair is None:
            pair = self._pair(labels)
        count, timed = pair
        bucket = bisect_left(self._bounds, seconds)  # the first bound >= seconds, as observe
        with self._lock:
            count[0] += 1.0
            timed[bucket] += 1.0
            timed[-1] += seconds

    def _pair(self, labels: tuple[str, ...]) -> tuple[list[float], list[float]]:
        with self._lock:
            now = time.time()
            count = self._counts.get(labels)
            if count is None:
                count = self._counts[labels] = [0.0, now]
            timed_labels = labels[: self._timed_by]
            timed = self._timed.get(timed_labels)
            if timed is None:
                timed = self._timed[timed_labels] = [0.0] * (len(self._bounds) + 1)
                self._timed_since[timed_labels] = now
            pair = self._pairs[labels] = (count, timed)
            return pair

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            counts = [(labels, list(count)) for labels, count in self._counts.items()]
            timed = [
                (labels, list(values), self._timed_since[labels])
                for labels, values in self._timed.items()
            ]
        # prometheus_client's switch for the ``_created`` series (an environment variable).
        created = getattr(prometheus_metrics, "_use_created", True)
        counter = Metric(self._counter_name, self._counter_doc, "counter")
        for labels, (value, since) in counts:
            named = dict(zip(self._labels, labels, strict=True))
            counter.add_sample(self._counter_name + "_total", named, value)
            if created:
                counter.add_sample(self._counter_name + "_created", named, since)
        yield counter
        histogram = Metric(self._histogram_name, self._histogram_doc, "histogram")
        name = self._histogram_name
        for labels, values, since in timed:
            named = dict(zip(self._labels[: self._timed_by], labels, strict=True))
            total = 0.0
            for le, value in zip(self._le, values, strict=False):  # the sum comes last
                total += value
                histogram.add_sample(name + "_bucket", {**named, "le": le}, total)
            histogram.add_sample(name + "_count", named, total)
            histogram.add_sample(name + "_sum", named, values[-1])
            if created:
                histogram.add_sample(name + "_created", named, since)
        yield histogram
