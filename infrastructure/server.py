"""`cxledger serve`: the API (and, by default, the background worker) under uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from graphql_api.app import create_app
from infrastructure.bootstrap import open_runtime
from infrastructure.projection_runner import ProjectionWorker
from infrastructure.settings import Settings

log = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM; then stop the workers and the embedded database."""
    with open_runtime(settings) as runtime:
        worker: ProjectionWorker | None = None
        if settings.run_projections:
            worker = runtime.worker()
        app = create_app(runtime.api_services(worker))
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            lifespan="on",
            access_log=False,
            server_header=False,
            # Who the client is behind a proxy is decided by CXL_TRUSTED_PROXIES alone.
            proxy_headers=False,
        )
        log.info("serving GraphQL on http://%s:%s/graphql", settings.host, settings.port)
        uvicorn.Server(config).run()
