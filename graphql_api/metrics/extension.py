"""Counts and times every GraphQL operation, over HTTP and WebSocket alike."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql_api.metrics.registry import ApiMetrics

INVALID = "invalid"
ERROR = "error"


class OperationMetrics(SchemaExtension):
    """Outermost extension: it sees the result every other one made."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        metrics = metrics_of(self.execution_context.context)
        if metrics is None:
            return
        context = self.execution_context
        operation = metrics.operation_label(context.operation_name)
        kind = operation_type(self)
        seconds = time.perf_counter() - started
        metrics.count_operation(operation, kind, operation_outcome(self), seconds)


def metrics_of(context: object) -> ApiMetrics | None:
    """The metrics the request's context carries (its services'), if any."""
    services = getattr(context, "services", None)
    metrics = getattr(services, "metrics", None)
    return metrics if isinstance(metrics, ApiMetrics) else None


def operation_type(extension: SchemaExtension) -> str:
    try:
        kind: OperationType = extension.execution_context.operation_type
    except Exception:  # no document, or no operation of that name: nothing ran
        return "unknown"
    return kind.value


def operation_outcome(extension: SchemaExtension) -> str:
    """ok; else the first error's code (the server's own codes, a finite set); else invalid
    for a document that failed parsing or validation (errors without a code or a path)."""
    return outcome_of(extension.execution_context.result)


def outcome_of(result: object) -> str:
    """``operation_outcome`` of a result (graphql-core's or strawberry's, or None)."""
    errors = list(getattr(result, "errors", None) or ())
    if not errors:
        return "ok"
    code = (errors[0].extensions or {}).get("code")
    if isinstance(code, str) and code.isupper() and len(code) < 50:
        return code.lower()
    return INVALID if all(error.path is None for error in errors) else ERROR
