"""Logging: every line through structlog, as JSON (production's default) or as readable text
(development's), with the request id and correlation id of the request that wrote it.

The code logs with the standard library (``logging.getLogger(__name__)``); structlog's
``ProcessorFormatter`` renders those records, merging the context variables that
``graphql_api.request_log`` binds for each request (worker threads started by anyio copy them).
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["json", "text"]


def log_formatter(log_format: LogFormat) -> logging.Formatter:
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            _without_colour_copies,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # A traceback as one string field: a JSON line stays one line.
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


def _without_colour_copies(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """uvicorn passes a copy of its message with terminal colour codes as an extra field."""
    event.pop("color_message", None)
    return event


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure_logging(level: str, log_format: LogFormat, stream: TextIO = sys.stderr) -> None:
    """Send every logger's records (uvicorn's too: `serve` lets them propagate) to ``stream``
    through one structlog formatter."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own logging config (if one ran before in this process) gives its loggers a
    # handler and a level and stops them propagating: undo it, so their lines go through ours.
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        for old in list(uvicorn_logger.handlers):
            uvicorn_logger.removeHandler(old)
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)
