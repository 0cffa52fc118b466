"""The server's Prometheus metrics, in a registry of its own (several apps in one process — tests,
Ray replicas — never mix their counts). ``GET /metrics`` serves :meth:`Metrics.render`."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from ..stats import Stats

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class Metrics:
    """Requests and latency by endpoint, sentences per decoded batch, queue depth, where the
    translated units came from (the translation memory's hits among them)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("translate_requests", "HTTP requests by endpoint and status",
                                ("endpoint", "status"), registry=r)
        self.latency = Histogram("translate_request_seconds", "Time to answer a request, by endpoint",
                                 ("endpoint",), buckets=_LATENCY_BUCKETS, registry=r)
        self.batch_sentences = Histogram("translate_batch_sentences", "Sentences per call the batcher decodes",
                                         buckets=_BATCH_BUCKETS, registry=r)
        self.batch_requests = Histogram("translate_batch_requests", "Requests served by one batcher call",
                                        buckets=_BATCH_BUCKETS, registry=r)
        self.queue_depth = Gauge("translate_queue_sentences", "Sentences waiting for the batcher", registry=r)
        self.units = Counter("translate_units", "Translation units by origin (memory: translation-memory hits)",
                             ("origin",), registry=r)
        self.dropped = Counter("translate_dropped_requests", "Requests whose client left before they were decoded",
                               registry=r)
        self.characters = Counter("translate_characters", "Source characters received for translation",
                                  registry=r)

    def count_units(self, stats: Stats) -> None:
        for origin, n in (("memory", stats.cached), ("model", stats.translated), ("passthrough", stats.passthrough)):
            if n:
                self.units.labels(origin).inc(n)

    def render(self) -> bytes:
        """The Prometheus text exposition, without the ``*_created`` series (creation timestamps
        that only add a series per metric and label set)."""
        return generate_latest(_WithoutCreated(self.registry))


class _WithoutCreated(Collector):
    """A registry's metrics less their ``_created`` samples — for this registry only
    (``prometheus_client.disable_created_metrics`` would change every registry of the process)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        for family in self.registry.collect():  # fresh objects on every collection: ours to trim
            family.samples = [s for s in family.samples if not s.name.endswith("_created")]
            yield family
