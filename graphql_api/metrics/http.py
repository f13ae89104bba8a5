"""Counts and times HTTP requests by route (a fixed set, never the raw path) and status."""

from __future__ import annotations

from starlette.types import Scope

from graphql_api.metrics.registry import ApiMetrics

ROUTES = ("/graphql", "/health", "/health/live", "/health/ready", "/metrics")
ASSETS = "/graphiql/"


def route_of(path: str) -> str:
    if path in ROUTES:
        return path
    return "/graphiql" if path.startswith(ASSETS) else "other"


def count_request(metrics: ApiMetrics, scope: Scope, status: int, seconds: float) -> None:
    """One HTTP request answered (or failed) with ``status``, by route, method and status.
    Called by ``graphql_api.request_log.RequestLog``, the one ASGI layer that watches a
    request's answer (a layer of its own cost a dispatch and a wrapped ``send`` per request)."""
    route = route_of(str(scope.get("path", "")))
    method = str(scope.get("method", "GET"))
    method = method if method in ("GET", "POST", "OPTIONS", "HEAD") else "other"
    metrics.count_http(route, method, str(status), seconds)
