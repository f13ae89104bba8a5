"""The health endpoints: `/health` (the full report), `/health/live` (the process answers) and
`/health/ready` (it can serve: database reachable, schema current, read pool usable)."""

from graphql_api.health.probes import live_endpoint, ready_endpoint
from graphql_api.health.report import health_endpoint

__all__ = ["health_endpoint", "live_endpoint", "ready_endpoint"]
