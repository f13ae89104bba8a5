"""Optional OpenTelemetry traces: on only when an ``OTEL_EXPORTER_*`` variable is set (the
exporter's own settings, e.g. ``OTEL_EXPORTER_OTLP_ENDPOINT``), then spans go by OTLP over
HTTP/protobuf. Off, no provider exists and the API and the log writer make no span at all.

The provider is made per process by the composition root, never at import, and passed on as a
``Tracer``: to the API (one span per GraphQL operation) and to the log writer (one span per
command appended).
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Tracer

from domain.ledger import Ledger
from infrastructure.log_writer import GroupCommittedLog
from infrastructure.version import product_version

SERVICE = "cxledger"


def tracing_wanted(environ: Mapping[str, str]) -> bool:
    """Any non-empty ``OTEL_EXPORTER_*`` variable turns tracing on."""
    return any(k.startswith("OTEL_EXPORTER_") and v.strip() for k, v in environ.items())


def tracer_provider(
    environ: Mapping[str, str], exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """A provider exporting in batches (by OTLP unless ``exporter`` is given), or None when
    tracing is off. ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES`` apply as usual."""
    if exporter is None and not tracing_wanted(environ):
        return None
    resource = Resource.create({"service.name": SERVICE, "service.version": product_version()})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter or OTLPSpanExporter()))
    return provider


def tracer_of(provider: TracerProvider) -> Tracer:
    return provider.get_tracer("cxledger", product_version())


def trace_appends(ledger: Ledger, tracer: Tracer) -> None:
    """Have ``ledger``'s log writer make one span per command it appends."""
    recorder = ledger.recorder
    if isinstance(recorder, GroupCommittedLog):
        recorder.tracer = tracer
