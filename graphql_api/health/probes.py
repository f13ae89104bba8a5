"""The orchestrator's two probes.

`/health/live` answers 200 as long as the event loop does, touching nothing else: a database
outage must not get every replica restarted (that cures nothing and loses the in-flight work).
`/health/ready` answers 200 only when this process can serve a request: the primary reachable,
its schema migrated to what this code expects, and the read pool (the replica's, if any) able to
hand out a working connection; else 503 naming the failed check, so the load balancer sends
traffic elsewhere until it passes.
"""

from __future__ import annotations

from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse

from graphql_api.context import ApiServices
from graphql_api.health.report import DATABASE_ERRORS
from projections.tracking import all_positions_async

PROBE_TIMEOUT = 2.0
"""Seconds each readiness check may take: probes time out after a few seconds themselves."""


async def live_endpoint(request: Request) -> JSONResponse:
    services: ApiServices = request.app.state.services
    return JSONResponse({"status": "alive", "version": services.health.version})


async def ready_endpoint(request: Request) -> JSONResponse:
    services: ApiServices = request.app.state.services
    checks = {
        "database": await _schema_check(services),
        "read_pool": await _read_pool_check(request),
    }
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


async def _schema_check(services: ApiServices) -> dict[str, Any]:
    """The primary answers and no migration step is pending."""
    check = services.health.schema_behind
    if check is None:
        return {"ok": False, "error": "no schema check configured"}
    try:
        with anyio.fail_after(PROBE_TIMEOUT):
            behind = await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
    except DATABASE_ERRORS as error:
        return {"ok": False, "error": type(error).__name__}
    if behind:
        return {"ok": False, "error": "migrations pending", "pending": behind}
    return {"ok": True}


async def _read_pool_check(request: Request) -> dict[str, Any]:
    """A pooled read connection runs a query (the tracking table every read model needs)."""
    try:
        async with request.app.state.pool.connection(timeout=PROBE_TIMEOUT) as conn:
            await all_positions_async(conn)
    except DATABASE_ERRORS as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}
