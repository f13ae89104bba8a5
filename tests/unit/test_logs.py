"""Log lines through structlog: JSON (one object a line) or text, each with the request id and
correlation id bound for the request that wrote it, extras as fields, tracebacks inside the
line."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
import structlog
from uvicorn.config import LOGGING_CONFIG

from infrastructure.logs import configure_logging


@pytest.fixture
def restored_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


def test_a_json_line_carries_the_request_and_correlation_ids_and_extras(
    restored_root: None,
) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    with structlog.contextvars.bound_contextvars(request_id="r1", correlation_id="c1"):
        logging.getLogger("cxl.test").info("hello %s", "world", extra={"status": 201})
    [line] = lines(stream)
    record = json.loads(line)
    assert record["event"] == "hello world"
    assert (record["request_id"], record["correlation_id"]) == ("r1", "c1")
    assert (record["level"], record["logger"], record["status"]) == ("info", "cxl.test", 201)
    assert record["timestamp"].endswith("Z")


def test_outside_a_request_lines_carry_no_request_ids(restored_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    logging.getLogger("cxl.test").warning("worker started")
    record = json.loads(lines(stream)[0])
    assert "request_id" not in record
    assert record["level"] == "warning"


def test_a_traceback_stays_inside_its_json_line(restored_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("cxl.test").exception("failed")
    [line] = lines(stream)
    assert "RuntimeError: boom" in json.loads(line)["exception"]


def test_the_level_setting_drops_lower_lines(restored_root: None) -> None:
    stream = io.StringIO()
    configure_logging("WARNING", "json", stream)
    logging.getLogger("cxl.test").info("quiet")
    assert lines(stream) == []


def test_text_lines_are_readable_and_carry_the_ids_too(restored_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    with structlog.contextvars.bound_contextvars(request_id="r2", correlation_id="c2"):
        logging.getLogger("cxl.test").info("served")
    [line] = lines(stream)
    assert "served" in line and "request_id=r2" in line and "correlation_id=c2" in line


def test_uvicorns_coloured_copy_of_a_message_is_dropped(restored_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    logging.getLogger("uvicorn.error").info("up", extra={"color_message": "\x1b[1mup\x1b[0m"})
    record = json.loads(lines(stream)[0])
    assert record["event"] == "up" and "color_message" not in record


def test_uvicorns_records_reach_the_line_format_after_uvicorn_configured_its_own_loggers(
    restored_root: None,
) -> None:
    """An earlier uvicorn.Config in the process (its default logging config) gave uvicorn's
    loggers handlers of their own and stopped them propagating: ours still gets their records."""
    logging.config.dictConfig(LOGGING_CONFIG)
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    logging.getLogger("uvicorn.error").info("started")
    assert [json.loads(line)["event"] for line in lines(stream)] == ["started"]
