"""`/health`: database reachability, each projection's position and lag, and parked events
(any parked event makes the status `degraded`)."""

from __future__ import annotations

import anyio.to_thread
import psycopg
from eventsourcing.persistence import PersistenceError
from starlette.requests import Request
from starlette.responses import JSONResponse

from graphql_api.context import ApiServices
from projections.parked import parked_counts_async
from projections.registry import ALL_PROJECTIONS
from projections.tracking import all_positions_async


async def health_endpoint(request: Request) -> JSONResponse:
    services: ApiServices = request.app.state.services
    try:
        async with request.app.state.pool.connection(timeout=2.0) as conn:
            positions = await all_positions_async(conn)
            parked = await parked_counts_async(conn)
        head = await anyio.to_thread.run_sync(services.ledger.head_position)
    except (psycopg.Error, PersistenceError, OSError, TimeoutError) as error:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": {"reachable": False, "error": type(error).__name__},
            },
            status_code=503,
        )
    errors = services.projection_errors()
    projections = {
        p.name: {
            "position": positions.get(p.name, 0),
            "lag": max(0, head - positions.get(p.name, 0)),
            "error": errors.get(p.name),
            "parked": parked.get(p.name, 0),
        }
        for p in ALL_PROJECTIONS
    }
    healthy = not errors and not parked
    return JSONResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": {"reachable": True},
            "head": head,
            "projections": projections,
            "parked": parked,
        }
    )
