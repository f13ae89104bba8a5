"""`/health`: the product version, database reachability, each projection's and process
manager's position, lag and parked events (any parked event, or a worker's error, makes the
status `degraded`)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import psycopg
from eventsourcing.persistence import PersistenceError
from starlette.requests import Request
from starlette.responses import JSONResponse

from graphql_api.context import ApiServices
from projections.parked import parked_counts_async
from projections.registry import ALL_PROJECTIONS
from projections.tracking import all_positions_async

DATABASE_ERRORS = (psycopg.Error, PersistenceError, OSError, TimeoutError)
"""What a database out of reach raises (psycopg_pool's PoolTimeout is a psycopg.Error)."""


async def health_endpoint(request: Request) -> JSONResponse:
    services: ApiServices = request.app.state.services
    version = services.health.version
    try:
        async with request.app.state.pool.connection(timeout=2.0) as conn:
            positions = await all_positions_async(conn)
            parked = await parked_counts_async(conn)
        head = await anyio.to_thread.run_sync(services.ledger.head_position)
    except DATABASE_ERRORS as error:
        return JSONResponse(
            {
                "status": "unavailable",
                "version": version,
                "database": {"reachable": False, "error": type(error).__name__},
            },
            status_code=503,
        )
    errors = services.projection_errors()

    def progress(name: str) -> dict[str, Any]:
        position = positions.get(name, 0)
        return {
            "position": position,
            "lag": max(0, head - position),
            "error": errors.get(name),
            "parked": parked.get(name, 0),
        }

    healthy = not errors and not parked
    return JSONResponse(
        {
            "status": "ok" if healthy else "degraded",
            "version": version,
            "database": {"reachable": True},
            "head": head,
            "projections": {p.name: progress(p.name) for p in ALL_PROJECTIONS},
            "process_managers": {name: progress(name) for name in services.health.process_managers},
            "parked": parked,
        }
    )
