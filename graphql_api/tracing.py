"""One OpenTelemetry span per GraphQL operation (over HTTP and WebSocket alike), named by its
type and name, with its outcome, when the composition root gave the API a tracer (it does only
when an ``OTEL_EXPORTER_*`` variable is set; otherwise nothing here runs)."""

from __future__ import annotations

from collections.abc import Iterator

from opentelemetry.trace import Status, StatusCode, Tracer
from strawberry.extensions import SchemaExtension

from graphql_api.metrics.extension import operation_outcome, operation_type
from graphql_api.metrics.registry import ANONYMOUS

MAX_NAME = 100
"""Characters of a client-chosen operation name kept on a span."""


class OperationTracing(SchemaExtension):
    """Outermost beside the metrics: it sees the outcome every other extension decided."""

    def on_operation(self) -> Iterator[None]:
        tracer = _tracer(self.execution_context.context)
        if tracer is None:
            yield
            return
        with tracer.start_as_current_span("graphql operation") as span:
            yield
            kind = operation_type(self)
            name = (self.execution_context.operation_name or ANONYMOUS)[:MAX_NAME]
            outcome = operation_outcome(self)
            # The span's name stays low in cardinality (the client picks the operation's name).
            span.update_name(f"graphql {kind}")
            span.set_attribute("graphql.operation.type", kind)
            span.set_attribute("graphql.operation.name", name)
            span.set_attribute("cxledger.outcome", outcome)
            # A refusal (FORBIDDEN, a bad document) is the API working; a crash is not.
            if outcome == "error":
                span.set_status(Status(StatusCode.ERROR, "unexpected error"))


def _tracer(context: object) -> Tracer | None:
    services = getattr(context, "services", None)
    tracer = getattr(services, "tracer", None)
    return tracer if isinstance(tracer, Tracer) else None
