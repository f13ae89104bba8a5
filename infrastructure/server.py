"""`cxledger serve`: the API (and, by default, the background worker) under uvicorn."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from graphql_api.app import create_app
from infrastructure.bootstrap import open_runtime
from infrastructure.delivery.mail_catcher import MailCatcher
from infrastructure.dev_banner import development_banner
from infrastructure.heap import settle_heap
from infrastructure.http_protocol import BoundedHttpToolsProtocol
from infrastructure.projection_runner import ProjectionWorker
from infrastructure.settings import Settings
from infrastructure.stop_signal import STOP_REQUESTED

log = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM; then stop the workers and the embedded database."""
    with open_runtime(settings) as runtime, _mail_catcher(settings) as catcher:
        runtime.mail_catcher = catcher
        worker: ProjectionWorker | None = None
        if settings.run_projections:
            worker = runtime.worker()
        app = create_app(runtime.api_services(worker))
        config = uvicorn_config(app, settings.host, settings.port, settings.log_level)
        log.info("serving GraphQL on http://%s:%s/graphql", settings.host, settings.port)
        if settings.environment == "development":
            print(development_banner(settings, _paths(app.routes), sys.argv[0]), flush=True)
        settle_heap()  # what lives as long as the process is never walked by the collector
        _Server(config).run()


class _Server(uvicorn.Server):
    """uvicorn's server, exiting as soon as it has started if a stop signal came before it took
    the signals over and that signal's exception was lost (see ``infrastructure.stop_signal``)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if STOP_REQUESTED.is_set():
            self.should_exit = True


def uvicorn_config(app: Starlette, host: str, port: int, log_level: str) -> uvicorn.Config:
    """How `serve` runs an app under uvicorn (the HTTP benchmark serves its bare baseline the
    same way, so the two differ only by the app)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        lifespan="on",
        access_log=False,  # graphql_api.request_log writes ours (CXL_ACCESS_LOG)
        log_config=None,  # uvicorn's loggers propagate to the structlog handler
        server_header=False,
        # Who the client is behind a proxy is decided by CXL_TRUSTED_PROXIES alone.
        proxy_headers=False,
        # C parser and loop (infrastructure.http_protocol says what they save and what bound
        # the parser is given back).
        http=BoundedHttpToolsProtocol,
        loop="uvloop",
    )


@contextlib.contextmanager
def _mail_catcher(settings: Settings) -> Iterator[MailCatcher | None]:
    """In development without CXL_SMTP_URL, a mail catcher on loopback receives the mail (shown
    at /dev/mailbox); elsewhere none."""
    if settings.smtp_url is not None or settings.environment != "development":
        yield None
        return
    with MailCatcher() as catcher:
        log.info(
            "no CXL_SMTP_URL: mail goes to a catcher on 127.0.0.1:%s, shown at "
            "http://%s:%s/dev/mailbox",
            catcher.endpoint.port,
            settings.host,
            settings.port,
        )
        yield catcher


def _paths(routes: list[BaseRoute]) -> list[str]:
    return [str(getattr(route, "path", "")) for route in routes]
